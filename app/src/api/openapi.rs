//! The API's contract: an OpenAPI 3.1 document built from the server functions themselves.
//!
//! Each operation's request body is the argument struct its `#[server]` macro generates, its
//! answer is the function's own result type, and its summary is the function's doc comment:
//! nothing is written twice, so the document cannot drift from the code. Beside the server
//! functions, one plain route is described here by hand: the conversations' CSV (a `GET`, so a
//! link can download it). Served at `/api/openapi.json`; the API suite fails when a registered
//! server function or that route is missing here.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use server_fn::ServerFn;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, PathsBuilder,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Required, Tag,
};
use utoipa::{PartialSchema, ToSchema};

use super::{
    admin, agents, analytics, auth, canned, chat, conversations, handover, labels, lifecycle,
    takeover, transfer, webhooks,
};
use crate::backend::auth::SESSION_COOKIE;
use crate::error::ApiError;

/// Who may call an operation, which is also how the document groups them.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// Anyone (signing in).
    Public,
    /// The customer, with the conversation's token in the body.
    Customer,
    /// A signed-in agent, supervisor or admin (the session cookie).
    Agent,
    /// A signed-in admin.
    Admin,
}

impl Access {
    fn tag(self) -> &'static str {
        match self {
            Access::Public | Access::Agent => "agent",
            Access::Customer => "customer",
            Access::Admin => "admin",
        }
    }

    fn needs_session(self) -> bool {
        matches!(self, Access::Agent | Access::Admin)
    }
}

/// The errors any operation may answer, with their statuses (see [`ApiError::status`]).
const ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "The input is malformed or out of bounds; nothing changed.",
    ),
    (
        "401",
        "Sign in first, or the customer token is missing or wrong.",
    ),
    (
        "403",
        "Not allowed for this caller, or a call from another origin.",
    ),
    ("404", "No such conversation, agent, endpoint or delivery."),
    (
        "409",
        "The state changed or forbids this (e.g. already taken over).",
    ),
    (
        "429",
        "Too many requests: retry after `Retry-After` seconds.",
    ),
    (
        "500",
        "Something broke on the server; its log has the details.",
    ),
    (
        "503",
        "The database is briefly out of reach; nothing changed; retry after `Retry-After` seconds.",
    ),
];

/// One documented operation: its path and everything said about it.
struct Operation {
    path: &'static str,
    item: PathItem,
}

/// Documents the server function `F` as `POST {F::PATH}`, answering `F::Output` as JSON.
fn operation<F>(access: Access, schemas: &mut Vec<(String, RefOr<Schema>)>) -> Operation
where
    F: ServerFn<Error = ApiError> + ToSchema,
    F::Output: ToSchema,
{
    let mut input = F::schema();
    // The function's doc comment arrives as the argument struct's description: it becomes
    // the operation's.
    let doc = match &mut input {
        RefOr::T(Schema::Object(object)) => object.description.take(),
        _ => None,
    }
    .unwrap_or_default();
    let summary = doc
        .split_terminator(['.', ':', ';'])
        .next()
        .unwrap_or("")
        .trim();
    F::schemas(schemas);
    F::Output::schemas(schemas);

    let json = |schema: RefOr<Schema>| ContentBuilder::new().schema(Some(schema)).build();
    let answer = if F::Output::name() == <() as ToSchema>::name() {
        ObjectBuilder::new().schema_type(Type::Null).into()
    } else {
        F::Output::schema()
    };
    let builder = OperationBuilder::new()
        .operation_id(Some(operation_id(&F::name())))
        .summary(Some(summary))
        .description(Some(doc.trim()))
        .tag(access.tag())
        .request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", json(input))
                .required(Some(Required::True))
                .build(),
        ))
        .response(
            "200",
            ResponseBuilder::new()
                .description("Done.")
                .content("application/json", json(answer))
                .build(),
        );
    Operation {
        path: F::PATH,
        item: PathItem::new(HttpMethod::Post, with_errors(builder, access)),
    }
}

/// `builder` with every error answer, and the session it needs for `access`.
fn with_errors(mut builder: OperationBuilder, access: Access) -> OperationBuilder {
    for (status, description) in ERRORS {
        builder = builder.response(*status, error(status, description));
    }
    if access.needs_session() {
        builder = builder.security(SecurityRequirement::new("session", Vec::<String>::new()));
    }
    builder
}

/// An error answer: an [`ApiError`] with the status of its kind.
fn error(status: &str, description: &str) -> utoipa::openapi::Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ApiError")))
            .build(),
    );
    if matches!(status, "429" | "503") {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("Seconds to wait before trying again."))
                .build(),
        );
    }
    response.build()
}

/// `GET` [`analytics::CONVERSATIONS_CSV`]: the conversations of a range as a file.
fn conversations_csv() -> Operation {
    let number = |format| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    let parameter = |name: &str, required, format, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(required)
            .schema(Some(number(format)))
            .description(Some(description))
            .build()
    };
    let text = || ObjectBuilder::new().schema_type(Type::String);
    let columns = crate::domain::analytics::SUMMARY_COLUMNS.join(", ");
    let mut builder = OperationBuilder::new()
        .operation_id(Some("conversations_csv"))
        .summary(Some("The conversations started in a range, as CSV"))
        .description(Some(format!(
            "One line per conversation started in `[from, to)`, oldest first, under a header \
             of its columns: {columns}. Times in RFC 3339 (UTC); durations in whole seconds \
             (time to human: the first wait a person ended; first human reply: from getting \
             the conversation to the agent's first message); `handled_by` names the agents \
             who had it, in order, joined by `; `, or says `AI only`; `csat` lists the \
             ratings, `csat_comment` is the latest comment. A cell that starts with `=`, \
             `+`, `-` or `@` is escaped with a leading `'`. The same range, rules and \
             definitions as `analytics/report`. Supervisors and admins only."
        )))
        .tag(Access::Agent.tag())
        .parameter(parameter(
            "from",
            Required::True,
            KnownFormat::Int64,
            "The range's start, ms since the epoch.",
        ))
        .parameter(parameter(
            "to",
            Required::True,
            KnownFormat::Int64,
            "The range's end (not included), ms since the epoch; at most 366 days after `from`.",
        ))
        .parameter(parameter(
            "utc_offset_minutes",
            Required::False,
            KnownFormat::Int32,
            "The time zone whose days name the file (default 0: UTC).",
        ))
        .response(
            "200",
            ResponseBuilder::new()
                .description("The CSV file.")
                .content(
                    "text/csv; charset=utf-8",
                    ContentBuilder::new().schema(Some(text())).build(),
                )
                .header(
                    "Content-Disposition",
                    HeaderBuilder::new()
                        .schema(text())
                        .description(Some(
                            "`attachment; filename=\"baton-conversations-<first day>-<last day>.csv\"`, \
                             the range's local days.",
                        ))
                        .build(),
                )
                .build(),
        );
    for (status, description) in ERRORS {
        if !matches!(*status, "404" | "409" | "429") {
            builder = builder.response(*status, error(status, description));
        }
    }
    Operation {
        path: analytics::CONVERSATIONS_CSV,
        item: PathItem::new(
            HttpMethod::Get,
            builder.security(SecurityRequirement::new("session", Vec::<String>::new())),
        ),
    }
}

/// The file routes: uploads as `multipart/form-data` (one request: the file becomes a
/// message) and the file itself, served from Baton's own origin.
fn file_operations(schemas: &mut Vec<(String, RefOr<Schema>)>) -> Vec<Operation> {
    use crate::domain::attachment::{
        AGENT_UPLOAD_PATH, CUSTOMER_UPLOAD_PATH, FILE_PATH, MAX_ATTACHMENT_BYTES,
    };
    use crate::domain::{AttachmentId, ConversationId, FileKind, Message};

    <Message as ToSchema>::schemas(schemas);
    let text = |description: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
    };
    let form = |customer: bool| {
        let mut object = ObjectBuilder::new()
            .property("conversation_id", ConversationId::schema())
            .required("conversation_id");
        if customer {
            object = object
                .property("token", text("The conversation's token from `chat/start`."))
                .required("token");
        }
        object
            .property(
                "client_id",
                text("The sender's id for this message: a retry with the same id stores it once."),
            )
            .required("client_id")
            .property("caption", text("Words sent with the file (optional)."))
            .property(
                "file",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                    .description(Some(format!(
                        "A JPEG, PNG, GIF or WebP image or a PDF (by its content, whatever its \
                         name), at most {MAX_ATTACHMENT_BYTES} bytes."
                    ))),
            )
            .required("file")
    };
    let upload = |path: &'static str, customer: bool, summary: &str, access: Access| {
        let builder = OperationBuilder::new()
            .operation_id(Some(if customer {
                "attach_chat"
            } else {
                "attach_message"
            }))
            .summary(Some(summary))
            .description(Some(format!(
                "{summary}: the file and its caption become one message in the conversation, \
                 answered as that message. Another kind of file (an SVG, a program renamed \
                 `.jpg`), an empty or larger one is a 400 `bad_input` that says why, and \
                 nothing is stored."
            )))
            .tag(access.tag())
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "multipart/form-data",
                        ContentBuilder::new().schema(Some(form(customer))).build(),
                    )
                    .required(Some(Required::True))
                    .build(),
            ))
            .response(
                "200",
                ResponseBuilder::new()
                    .description("The message that carries the file.")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Message::schema()))
                            .build(),
                    )
                    .build(),
            );
        Operation {
            path,
            item: PathItem::new(HttpMethod::Post, with_errors(builder, access)),
        }
    };
    let binary = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
    };
    let mut file = ResponseBuilder::new()
        .description("The file's bytes, with its real type.")
        .header(
            "Content-Disposition",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some(
                    "`inline` for an image, `attachment` for a PDF, with the file's name \
                     (`filename` and `filename*`).",
                ))
                .build(),
        );
    for kind in FileKind::ALL {
        file = file.content(
            kind.media_type(),
            ContentBuilder::new().schema(Some(binary())).build(),
        );
    }
    let serve = OperationBuilder::new()
        .operation_id(Some("file"))
        .summary(Some("A file a message carries"))
        .description(Some(
            "For agents by their session cookie; for the conversation's customer with its \
             token in the `X-Baton-Token` header (never in the URL). Served with a policy that \
             runs nothing (`default-src 'none'; sandbox`).",
        ))
        .tag(Access::Customer.tag())
        .parameter(
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(AttachmentId::schema()))
                .description(Some("The file's id, from the message that carries it."))
                .build(),
        )
        .parameter(
            ParameterBuilder::new()
                .name("X-Baton-Token")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some("The customer's conversation token (customers only)."))
                .build(),
        )
        .response("200", file.build());
    vec![
        upload(
            CUSTOMER_UPLOAD_PATH,
            true,
            "The customer sends a photo or a PDF",
            Access::Customer,
        ),
        upload(
            AGENT_UPLOAD_PATH,
            false,
            "The owning agent sends a photo or a PDF",
            Access::Agent,
        ),
        Operation {
            path: FILE_PATH,
            item: PathItem::new(HttpMethod::Get, with_errors(serve, Access::Customer)),
        },
    ]
}

/// `ForceTakeover` → `force_takeover`.
fn operation_id(struct_name: &str) -> String {
    let mut id = String::new();
    for (i, c) in struct_name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            id.push('_');
        }
        id.push(c.to_ascii_lowercase());
    }
    id
}

/// The whole document.
pub fn document() -> OpenApi {
    let mut schemas = Vec::new();
    let operations = vec![
        operation::<auth::Login>(Access::Public, &mut schemas),
        operation::<auth::Logout>(Access::Agent, &mut schemas),
        operation::<auth::Me>(Access::Agent, &mut schemas),
        operation::<chat::StartChat>(Access::Customer, &mut schemas),
        operation::<chat::IdentifyChat>(Access::Customer, &mut schemas),
        operation::<chat::SendChat>(Access::Customer, &mut schemas),
        operation::<chat::ChatHistory>(Access::Customer, &mut schemas),
        operation::<chat::RequestHuman>(Access::Customer, &mut schemas),
        operation::<chat::LeaveContact>(Access::Customer, &mut schemas),
        operation::<chat::RateChat>(Access::Customer, &mut schemas),
        operation::<chat::SetChatLanguage>(Access::Customer, &mut schemas),
        operation::<conversations::ListConversations>(Access::Agent, &mut schemas),
        operation::<conversations::GetConversation>(Access::Agent, &mut schemas),
        operation::<conversations::ConversationContact>(Access::Agent, &mut schemas),
        operation::<conversations::SendMessage>(Access::Agent, &mut schemas),
        operation::<conversations::AddNote>(Access::Agent, &mut schemas),
        operation::<conversations::CountConversations>(Access::Agent, &mut schemas),
        operation::<takeover::Takeover>(Access::Agent, &mut schemas),
        operation::<takeover::ForceTakeover>(Access::Agent, &mut schemas),
        operation::<handover::Handover>(Access::Agent, &mut schemas),
        operation::<transfer::Transfer>(Access::Agent, &mut schemas),
        operation::<lifecycle::Close>(Access::Agent, &mut schemas),
        operation::<lifecycle::Reopen>(Access::Agent, &mut schemas),
        operation::<agents::ListAgents>(Access::Agent, &mut schemas),
        operation::<analytics::AnalyticsReport>(Access::Agent, &mut schemas),
        operation::<canned::ListCanned>(Access::Agent, &mut schemas),
        operation::<canned::CreateCanned>(Access::Agent, &mut schemas),
        operation::<canned::UpdateCanned>(Access::Agent, &mut schemas),
        operation::<canned::RetireCanned>(Access::Agent, &mut schemas),
        operation::<labels::ListLabels>(Access::Agent, &mut schemas),
        operation::<labels::CreateLabel>(Access::Agent, &mut schemas),
        operation::<labels::UpdateLabel>(Access::Agent, &mut schemas),
        operation::<labels::DeleteLabel>(Access::Agent, &mut schemas),
        operation::<labels::LabelConversation>(Access::Agent, &mut schemas),
        operation::<labels::SetPriority>(Access::Agent, &mut schemas),
        operation::<agents::SetAvailability>(Access::Agent, &mut schemas),
        operation::<admin::CreateAgent>(Access::Admin, &mut schemas),
        operation::<admin::DisableAgent>(Access::Admin, &mut schemas),
        operation::<admin::ResetPassword>(Access::Admin, &mut schemas),
        operation::<admin::AuditLog>(Access::Admin, &mut schemas),
        operation::<webhooks::CreateWebhook>(Access::Admin, &mut schemas),
        operation::<webhooks::ListWebhooks>(Access::Admin, &mut schemas),
        operation::<webhooks::UpdateWebhook>(Access::Admin, &mut schemas),
        operation::<webhooks::RotateWebhook>(Access::Admin, &mut schemas),
        operation::<webhooks::DeleteWebhook>(Access::Admin, &mut schemas),
        operation::<webhooks::WebhookDeliveries>(Access::Admin, &mut schemas),
        operation::<webhooks::ReplayDelivery>(Access::Admin, &mut schemas),
        conversations_csv(),
    ];
    let operations = operations
        .into_iter()
        .chain(file_operations(&mut schemas))
        .collect::<Vec<_>>();
    schemas.push((ApiError::name().into_owned(), ApiError::schema()));
    ApiError::schemas(&mut schemas);

    let mut paths = PathsBuilder::new();
    for Operation { path, item } in operations {
        paths = paths.path(path, item);
    }
    // One entry per name, in a stable order.
    let schemas: BTreeMap<String, RefOr<Schema>> = schemas.into_iter().collect();
    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "Set by `agent/login`; HttpOnly, SameSite=Strict.",
            ))),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Baton")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(DESCRIPTION)),
        )
        .paths(paths)
        .components(Some(components))
        .tags(Some([
            tag(
                "customer",
                "The customer's side: the conversation's token is the key.",
            ),
            tag(
                "agent",
                "The dashboard: signing in, conversations and the hand-off.",
            ),
            tag("admin", "Admins: agents, the audit log, webhooks."),
        ]))
        .build()
}

fn tag(name: &str, description: &str) -> Tag {
    let mut tag = Tag::new(name);
    tag.description = Some(description.to_owned());
    tag
}

const DESCRIPTION: &str = "Every call is `POST /api/...` with a JSON object of its arguments \
and answers JSON, but for `GET /api/analytics/conversations.csv`, a file to download. Errors answer `{\"kind\": ..., \"message\": ...}` with the status of their \
kind. Agents sign in with `agent/login`, which sets the `baton_session` cookie; customers \
carry the token `chat/start` gave them. A call from a browser page of another origin is \
refused (403).";

/// The document as JSON, built once.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        document()
            .to_pretty_json()
            .expect("the OpenAPI document serializes")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_the_function_names() {
        assert_eq!(operation_id("ForceTakeover"), "force_takeover");
        assert_eq!(operation_id("Me"), "me");
    }

    #[test]
    fn every_schema_a_document_refers_to_is_in_it() {
        let json = json();
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let defined = value["components"]["schemas"].as_object().unwrap();
        for reference in json.split("\"$ref\": \"#/components/schemas/").skip(1) {
            let name = &reference[..reference.find('"').unwrap()];
            assert!(
                defined.contains_key(name),
                "{name} is referred to but not defined"
            );
        }
        assert_eq!(value["openapi"], "3.1.0");
    }
}
