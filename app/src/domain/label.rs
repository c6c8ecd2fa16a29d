//! Labels and priority: how a team sorts its conversations. Supervisors and admins keep the
//! team's list of labels (a name and a colour each); any agent puts labels on a conversation
//! and sets how urgent it is. Both are agents' business only: the customer never sees them.
//! The list can be narrowed to one label and one priority ([`TagFilter`]).

use serde::{Deserialize, Serialize};

use super::{AgentRef, Conversation, Locale, Timestamp};

/// The longest label name.
pub const MAX_LABEL_CHARS: usize = 32;
/// The most labels one conversation carries.
pub const MAX_LABELS_PER_CONVERSATION: usize = 10;
/// The most labels a team keeps.
pub const MAX_LABELS: usize = 100;

/// A label of the team's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Label {
    pub id: String,
    /// "Refund", "VIP": what the chip says.
    pub name: String,
    pub color: LabelColor,
    pub updated_at: Timestamp,
}

/// A label as a conversation's log names it: its id and its name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LabelRef {
    pub id: String,
    pub name: String,
}

/// What makes two names the same label: letter case aside ("VIP" and "vip").
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

impl Label {
    /// Its name as compared with other labels' ([`name_key`]).
    pub fn key(&self) -> String {
        name_key(&self.name)
    }

    /// The label as the log names it.
    pub fn reference(&self) -> LabelRef {
        LabelRef {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }
}

/// The colours a label may have: a fixed palette, each readable in both themes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LabelColor {
    #[default]
    Gray,
    Blue,
    Green,
    Amber,
    Red,
    Purple,
}

impl LabelColor {
    /// Every colour, in the order the form offers them.
    pub const ALL: [LabelColor; 6] = [
        LabelColor::Gray,
        LabelColor::Blue,
        LabelColor::Green,
        LabelColor::Amber,
        LabelColor::Red,
        LabelColor::Purple,
    ];

    /// The stored and serialised name ("amber"), also the chip's style (`label-amber`).
    pub fn code(self) -> &'static str {
        match self {
            LabelColor::Gray => "gray",
            LabelColor::Blue => "blue",
            LabelColor::Green => "green",
            LabelColor::Amber => "amber",
            LabelColor::Red => "red",
            LabelColor::Purple => "purple",
        }
    }

    /// Reads [`LabelColor::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|color| color.code() == code)
    }

    /// The colour's name in the form.
    pub fn label(self, locale: Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            LabelColor::Gray => td_string!(locale, labels.gray),
            LabelColor::Blue => td_string!(locale, labels.blue),
            LabelColor::Green => td_string!(locale, labels.green),
            LabelColor::Amber => td_string!(locale, labels.amber),
            LabelColor::Red => td_string!(locale, labels.red),
            LabelColor::Purple => td_string!(locale, labels.purple),
        }
    }
}

/// How urgent a conversation is. Every conversation starts `Normal`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    /// Every priority, the most urgent first (the order the pickers offer them).
    pub const ALL: [Priority; 4] = [
        Priority::Urgent,
        Priority::High,
        Priority::Normal,
        Priority::Low,
    ];

    /// The stored and serialised name ("urgent").
    pub fn code(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// Reads [`Priority::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|priority| priority.code() == code)
    }

    /// The priority's name on screen.
    pub fn label(self, locale: Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            Priority::Low => td_string!(locale, labels.priority_low),
            Priority::Normal => td_string!(locale, labels.priority_normal),
            Priority::High => td_string!(locale, labels.priority_high),
            Priority::Urgent => td_string!(locale, labels.priority_urgent),
        }
    }
}

/// A label's name and colour, checked: what creating or changing one stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelDraft {
    pub name: String,
    pub color: LabelColor,
}

/// Why a label, or a conversation's labels, were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("The label's name is empty")]
    EmptyName,
    #[error("A label's name is one line of text")]
    NameNotOneLine,
    #[error("A label's name is at most {MAX_LABEL_CHARS} characters")]
    NameTooLong,
    #[error("A conversation carries at most {MAX_LABELS_PER_CONVERSATION} labels")]
    TooManyOnConversation,
    #[error("The team keeps at most {MAX_LABELS} labels")]
    TooManyLabels,
    #[error("There is no label {0}")]
    Unknown(String),
}

impl LabelDraft {
    /// Checks and tidies what a supervisor typed: surrounding spaces go, inner runs of spaces
    /// become one.
    pub fn parse(name: &str, color: LabelColor) -> Result<Self, LabelError> {
        if name.chars().any(char::is_control) {
            return Err(LabelError::NameNotOneLine);
        }
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(LabelError::EmptyName);
        }
        if name.chars().count() > MAX_LABEL_CHARS {
            return Err(LabelError::NameTooLong);
        }
        Ok(LabelDraft { name, color })
    }

    /// Its name as compared with other labels' ([`name_key`]).
    pub fn key(&self) -> String {
        name_key(&self.name)
    }
}

/// A change of a conversation's labels: the labels it carries after it, and which were put
/// on and taken off, as the log records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relabel {
    /// Every label id after the change, in the order of the team's list.
    pub labels: Vec<String>,
    pub added: Vec<LabelRef>,
    pub removed: Vec<LabelRef>,
}

impl Relabel {
    /// The change from the labels a conversation carries (`current`) to those asked for
    /// (`wanted`), each of which must be on the team's list (`team`); `None` when nothing
    /// changes. Asking twice for one label is asking once. A label the team removed since
    /// is simply no longer carried.
    pub fn between(
        current: &[String],
        wanted: &[String],
        team: &[Label],
    ) -> Result<Option<Relabel>, LabelError> {
        if let Some(unknown) = wanted.iter().find(|id| !team.iter().any(|l| &l.id == *id)) {
            return Err(LabelError::Unknown(unknown.chars().take(64).collect()));
        }
        let labels: Vec<&Label> = team.iter().filter(|l| wanted.contains(&l.id)).collect();
        if labels.len() > MAX_LABELS_PER_CONVERSATION {
            return Err(LabelError::TooManyOnConversation);
        }
        let added: Vec<LabelRef> = labels
            .iter()
            .filter(|l| !current.contains(&l.id))
            .map(|l| l.reference())
            .collect();
        let removed: Vec<LabelRef> = team
            .iter()
            .filter(|l| current.contains(&l.id) && !wanted.contains(&l.id))
            .map(Label::reference)
            .collect();
        if added.is_empty() && removed.is_empty() {
            return Ok(None);
        }
        Ok(Some(Relabel {
            labels: labels.iter().map(|l| l.id.clone()).collect(),
            added,
            removed,
        }))
    }
}

/// What the list narrows to besides its filter: conversations carrying one label, of one
/// priority. The store's list statement asks the same of each row.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TagFilter {
    /// Only conversations carrying the label with this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Only conversations of this priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
}

impl TagFilter {
    /// True when `conversation` carries the label and has the priority asked for.
    pub fn admits(&self, conversation: &Conversation) -> bool {
        self.label
            .as_ref()
            .is_none_or(|label| conversation.labels.contains(label))
            && self
                .priority
                .is_none_or(|priority| conversation.priority == priority)
    }

    /// True when it narrows nothing.
    pub fn is_empty(&self) -> bool {
        self.label.is_none() && self.priority.is_none()
    }
}

/// Who changed a conversation's labels or priority, and how, as the dashboard's log says it.
pub fn described(
    locale: Locale,
    by: &AgentRef,
    added: &[LabelRef],
    removed: &[LabelRef],
) -> String {
    use crate::i18n::td_string;
    let names = |labels: &[LabelRef]| {
        labels
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let by = by.name.as_str();
    match (added.is_empty(), removed.is_empty()) {
        (false, true) => td_string!(locale, labels.added, by, names = names(added)).to_string(),
        (true, false) => td_string!(locale, labels.removed, by, names = names(removed)).to_string(),
        _ => td_string!(
            locale,
            labels.changed,
            by,
            added = names(added),
            removed = names(removed)
        )
        .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(id: &str, name: &str) -> Label {
        Label {
            id: id.into(),
            name: name.into(),
            color: LabelColor::Blue,
            updated_at: Timestamp(0),
        }
    }

    fn ids(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn a_name_is_tidied_and_bad_names_are_refused_with_their_reason() {
        let draft = LabelDraft::parse("  Refund   asked ", LabelColor::Amber).unwrap();
        assert_eq!(draft.name, "Refund asked");
        assert_eq!(draft.key(), "refund asked");
        let refused = |name: &str| LabelDraft::parse(name, LabelColor::Gray).unwrap_err();
        assert_eq!(refused("   "), LabelError::EmptyName);
        assert_eq!(refused("VIP\ncustomer"), LabelError::NameNotOneLine);
        assert_eq!(refused(&"x".repeat(33)), LabelError::NameTooLong);
        assert!(LabelDraft::parse(&"é".repeat(32), LabelColor::Gray).is_ok());
    }

    #[test]
    fn relabelling_says_what_was_put_on_and_taken_off_in_the_teams_order() {
        let team = [label("a", "Refund"), label("b", "VIP"), label("c", "Bug")];
        let change = Relabel::between(&ids(&["a"]), &ids(&["c", "b", "c"]), &team)
            .unwrap()
            .unwrap();
        assert_eq!(change.labels, ids(&["b", "c"]));
        assert_eq!(change.added, vec![team[1].reference(), team[2].reference()]);
        assert_eq!(change.removed, vec![team[0].reference()]);
        assert_eq!(
            Relabel::between(&ids(&["b", "a"]), &ids(&["a", "b"]), &team),
            Ok(None)
        );
    }

    #[test]
    fn unknown_labels_and_too_many_are_refused() {
        let team: Vec<Label> = (0..12).map(|n| label(&n.to_string(), "x")).collect();
        assert_eq!(
            Relabel::between(&[], &ids(&["nope"]), &team),
            Err(LabelError::Unknown("nope".into()))
        );
        let eleven: Vec<String> = (0..11).map(|n| n.to_string()).collect();
        assert_eq!(
            Relabel::between(&[], &eleven, &team),
            Err(LabelError::TooManyOnConversation)
        );
        // A label removed from the team's list since is dropped without a word.
        let change = Relabel::between(&ids(&["gone", "1"]), &ids(&["1", "2"]), &team)
            .unwrap()
            .unwrap();
        assert_eq!(change.labels, ids(&["1", "2"]));
        assert!(change.removed.is_empty());
    }

    #[test]
    fn codes_round_trip_and_priorities_order_by_urgency() {
        for color in LabelColor::ALL {
            assert_eq!(LabelColor::from_code(color.code()), Some(color));
        }
        for priority in Priority::ALL {
            assert_eq!(Priority::from_code(priority.code()), Some(priority));
        }
        assert!(Priority::Urgent > Priority::High && Priority::Normal > Priority::Low);
        assert_eq!(Priority::default(), Priority::Normal);
        assert_eq!(Priority::from_code("critical"), None);
    }
}
