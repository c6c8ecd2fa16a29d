//! The default responder: answers from the knowledge base in the customer's language and
//! never guesses.

use app::backend::{Reply, ReplyContext, Responder, ResponderError};
use app::domain::{Author, EscalationReason};
use async_trait::async_trait;

use super::escalation::{intent, Intent};
use super::kb::{Knowledge, KnowledgeBase};
use super::text::{language, term_set, Language};

/// Said when no article is a confident match.
pub const NOT_SURE: &str = "I'm not sure I can answer that correctly, and I'd rather not guess. Could you rephrase your question? You can also press \"Talk to a person\" and a member of our team will help you.";

/// [`NOT_SURE`] in Indonesian.
pub const NOT_SURE_ID: &str = "Maaf, saya belum yakin bisa menjawabnya dengan benar dan tidak mau menebak. Bisa tolong tulis pertanyaannya dengan cara lain? Anda juga bisa menekan \"Talk to a person\" agar tim kami membantu.";

/// Said when the AI still cannot answer and calls a person.
pub const STILL_NOT_SURE: &str = "I'm sorry, I still can't answer that with confidence. I'm asking a member of our Customer Service team to help you.";

/// [`STILL_NOT_SURE`] in Indonesian.
pub const STILL_NOT_SURE_ID: &str = "Maaf, saya masih belum bisa menjawabnya dengan yakin. Saya minta anggota tim Customer Service kami untuk membantu Anda.";

/// Introduces a brief the agent let the AI pass on to the customer.
pub const TEAM_NOTE: &str = "Our team left this note for you:";

/// [`TEAM_NOTE`] in Indonesian.
pub const TEAM_NOTE_ID: &str = "Tim kami menitipkan catatan ini untuk Anda:";

/// Said when the customer is clearly unhappy.
pub const SORRY: &str = "I'm sorry this has been frustrating. I'm bringing in a member of our Customer Service team right away.";

/// [`SORRY`] in Indonesian.
pub const SORRY_ID: &str = "Mohon maaf atas ketidaknyamanannya. Saya segera menghubungkan Anda dengan anggota tim Customer Service kami.";

fn in_language(language: Language, english: &str, indonesian: &str) -> String {
    match language {
        Language::English => english.to_owned(),
        Language::Indonesian => indonesian.to_owned(),
    }
}

/// What the responder makes of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A person is called: the customer asked for one or is upset.
    Escalate(Intent),
    /// The article with this id answers.
    Answer { slug: String, confidence: f32 },
    /// No article is a confident match.
    NotSure { confidence: f32 },
}

/// Answers from the Markdown knowledge base by words and meaning, in the customer's language.
#[derive(Clone)]
pub struct KbResponder {
    knowledge: Knowledge,
    threshold: f32,
}

impl KbResponder {
    /// A responder over `kb` that answers only when its confidence reaches `threshold`.
    pub fn new(kb: impl Into<Knowledge>, threshold: f32) -> Self {
        super::escalation::prepare();
        Self {
            knowledge: kb.into(),
            threshold,
        }
    }

    /// The knowledge base it answers from now.
    pub fn knowledge_base(&self) -> &KnowledgeBase {
        self.knowledge.current()
    }

    /// What it makes of a single customer message, without a conversation around it.
    pub fn outcome(&self, question: &str) -> Outcome {
        let intent = intent(question);
        if intent.escalates() {
            return Outcome::Escalate(intent);
        }
        match self.knowledge_base().best(question) {
            Some(hit) if hit.confidence >= self.threshold => Outcome::Answer {
                slug: hit.article.slug.clone(),
                confidence: hit.confidence,
            },
            hit => Outcome::NotSure {
                confidence: hit.map_or(0.0, |h| h.confidence),
            },
        }
    }

    /// The best article for what the customer wrote since anyone last answered, and the line
    /// it answers: their last line, or, when that alone finds nothing sure, the newest line
    /// before it that does (a customer who asks, then adds "it's the blue jacket", is
    /// answered on the question).
    fn best_unanswered<'a>(
        &'a self,
        context: &'a ReplyContext,
    ) -> (&'a str, Option<super::kb::Hit<'a>>) {
        let kb = self.knowledge_base();
        let last = context.question();
        let hit = kb.best(last);
        if hit.as_ref().is_some_and(|h| h.confidence >= self.threshold) {
            return (last, hit);
        }
        // The first unanswered line is the last one, read above.
        context
            .unanswered()
            .skip(1)
            .filter_map(|line| Some((line, kb.best(line)?)))
            .find(|(_, h)| h.confidence >= self.threshold)
            .map_or((last, hit), |(line, h)| (line, Some(h)))
    }

    /// The reply to `context`, computed synchronously.
    ///
    /// The agent's handover brief is guidance, never text for the customer: it is not quoted,
    /// unless the agent let the AI pass it on; then it answers a question about what it says.
    /// A topic the brief rules out ("don't offer a refund again", "jangan tawarkan refund")
    /// is not answered from the knowledge base; a person takes the question instead.
    pub fn decide(&self, context: &ReplyContext) -> Reply {
        let question = context.question();
        let language = language(question);

        if let Some(escalation) = escalation_before_answering(context) {
            return escalation;
        }
        let conversation = &context.conversation;
        if let Some(note) = conversation
            .brief
            .as_deref()
            .filter(|brief| conversation.brief_for_customer && concerns(question, brief))
        {
            let intro = in_language(language, TEAM_NOTE, TEAM_NOTE_ID);
            return Reply::Answer {
                text: format!("{intro} \u{201c}{}\u{201d}", note.trim()),
                confidence: 1.0,
            };
        }
        let (question, hit) = self.best_unanswered(context);
        let language = super::text::language(question);
        if let (Some(hit), Some(brief)) = (&hit, &conversation.brief) {
            let ruled_out = ruled_out_terms(brief);
            let topic = term_set(&hit.article.title);
            if hit.confidence >= self.threshold && ruled_out.iter().any(|t| topic.contains(t)) {
                return Reply::Escalate {
                    text: Some(in_language(language, STILL_NOT_SURE, STILL_NOT_SURE_ID)),
                    reason: EscalationReason::LowConfidence,
                    detail: Some(format!(
                        "The handover brief rules out this topic ({}); question: {}",
                        hit.article.slug,
                        quote(question)
                    )),
                };
            }
        }
        match hit {
            Some(hit) if hit.confidence >= self.threshold => Reply::Answer {
                text: hit.entry.answer_in(language).to_owned(),
                confidence: hit.confidence,
            },
            hit => {
                let confidence = hit.map(|h| h.confidence).unwrap_or(0.0);
                let last_ai = context
                    .transcript
                    .iter()
                    .rev()
                    .find(|(author, _)| *author == Author::Ai)
                    .map(|(_, text)| text.as_str());
                if last_ai == Some(NOT_SURE) || last_ai == Some(NOT_SURE_ID) {
                    Reply::Escalate {
                        text: Some(in_language(language, STILL_NOT_SURE, STILL_NOT_SURE_ID)),
                        reason: EscalationReason::LowConfidence,
                        detail: Some(format!(
                            "Twice unsure (confidence {confidence:.2}); last question: {}",
                            quote(question)
                        )),
                    }
                } else {
                    Reply::Answer {
                        text: in_language(language, NOT_SURE, NOT_SURE_ID),
                        confidence,
                    }
                }
            }
        }
    }
}

/// True when `question` asks about something `note` speaks of: they share a term (a concept,
/// in either language: "refund" meets "pengembalian dana", "sby" meets "Surabaya").
fn concerns(question: &str, note: &str) -> bool {
    let asked = term_set(question);
    term_set(note).iter().any(|term| asked.contains(term))
}

/// Words that negate what follows in a brief, English and Indonesian.
const NEGATIONS: &[&str] = &[
    "dont", "don't", "do not", "never", "no", "not", "stop", "avoid", "jangan", "tidak", "tdk",
    "gak", "nggak", "bukan", "tanpa", "without",
];

/// The concepts a brief tells the AI to stay away from: terms within four words after a
/// negation ("don't offer a refund again" rules out `refund`).
pub fn ruled_out_terms(brief: &str) -> Vec<String> {
    let words = super::text::words(brief);
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let negates = NEGATIONS.contains(&word.as_str())
            || (word == "do" && words.get(i + 1).is_some_and(|w| w == "not"));
        if negates {
            let window = words[i + 1..words.len().min(i + 5)].join(" ");
            out.extend(term_set(&window));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Escalates without asking any model when the customer asks for a person or is upset, in
/// their question or in a line before it nobody answered.
pub fn escalation_before_answering(context: &ReplyContext) -> Option<Reply> {
    context.unanswered().find_map(escalation_for)
}

/// The escalation one line of the customer's asks for, if any.
fn escalation_for(question: &str) -> Option<Reply> {
    match intent(question) {
        Intent::Person => Some(Reply::Escalate {
            text: None,
            reason: EscalationReason::CustomerAsked,
            detail: Some(quote(question)),
        }),
        Intent::Upset => Some(Reply::Escalate {
            text: Some(in_language(language(question), SORRY, SORRY_ID)),
            reason: EscalationReason::Frustration,
            detail: Some(quote(question)),
        }),
        Intent::None => None,
    }
}

fn quote(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    format!("\u{201c}{short}\u{201d}")
}

#[async_trait]
impl Responder for KbResponder {
    async fn reply(&self, context: ReplyContext) -> Result<Reply, ResponderError> {
        // Reading a question by meaning takes milliseconds of CPU: off the async workers.
        let responder = self.clone();
        tokio::task::spawn_blocking(move || responder.decide(&context))
            .await
            .map_err(|err| ResponderError::Provider(err.to_string()))
    }

    /// Reading is CPU work: one reply per core at a time.
    fn capacity(&self) -> usize {
        std::thread::available_parallelism().map_or(1, |cores| cores.get())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ai::kb::KnowledgeBase;

    fn sample_kb() -> KnowledgeBase {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb");
        KnowledgeBase::new(crate::seed::read_kb_dir(&dir).expect("the sample knowledge base reads"))
    }

    /// (question, expected slug) pairs never used as article titles.
    fn held_out() -> Vec<(String, String)> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kb/heldout.tsv");
        std::fs::read_to_string(path)
            .expect("kb/heldout.tsv reads")
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(q, slug)| (q.trim().to_owned(), slug.trim().to_owned()))
            .collect()
    }

    #[test]
    fn the_sample_knowledge_base_has_at_least_thirty_entries() {
        assert!(sample_kb().len() >= 30, "{}", sample_kb().len());
    }

    #[test]
    fn held_out_questions_find_their_article_first() {
        let kb = sample_kb();
        let questions = held_out();
        assert_eq!(questions.len(), 30);
        let misses: Vec<String> = questions
            .iter()
            .filter(|(q, slug)| kb.best(q).map(|hit| &hit.article.slug) != Some(slug))
            .map(|(q, slug)| {
                let got = kb
                    .best(q)
                    .map(|h| h.article.slug.clone())
                    .unwrap_or_default();
                format!("{q} → {got} (expected {slug})")
            })
            .collect();
        let correct = questions.len() - misses.len();
        println!("held-out top-1 accuracy: {correct}/{}", questions.len());
        assert!(
            correct >= 27,
            "top-1 accuracy {correct}/30; misses: {misses:#?}"
        );
    }

    #[test]
    fn a_confident_match_answers_with_the_articles_text() {
        let kb = sample_kb();
        let responder = KbResponder::new(kb.clone(), 0.5);
        let context = ReplyContext {
            conversation: crate::hub::tests_support::conversation(),
            transcript: vec![(Author::Customer, "How do I reset my password?".into())],
        };
        match responder.decide(&context) {
            Reply::Answer { text, confidence } => {
                let expected = kb
                    .best("How do I reset my password?")
                    .unwrap()
                    .entry
                    .answer
                    .clone();
                assert_eq!(text, expected);
                assert!(confidence >= 0.5);
            }
            other => panic!("{other:?}"),
        }
    }

    fn context(messages: &[(Author, &str)], brief: Option<&str>) -> ReplyContext {
        let mut conversation = crate::hub::tests_support::conversation();
        conversation.brief = brief.map(str::to_owned);
        ReplyContext {
            conversation,
            transcript: messages
                .iter()
                .map(|(author, text)| (author.clone(), (*text).to_owned()))
                .collect(),
        }
    }

    fn answer_text(reply: Reply) -> String {
        match reply {
            Reply::Answer { text, .. } => text,
            Reply::Escalate { text, .. } => text.unwrap_or_default(),
        }
    }

    #[test]
    fn a_customer_writing_indonesian_is_answered_in_indonesian() {
        let responder = KbResponder::new(sample_kb(), 0.5);
        let text = answer_text(responder.decide(&context(
            &[(Author::Customer, "brp lama kirim ke sby?")],
            None,
        )));
        assert!(text.contains("1–3 hari kerja ke Jawa"), "{text}");
        let text = answer_text(responder.decide(&context(
            &[(
                Author::Customer,
                "How long will my parcel take to reach Surabaya?",
            )],
            None,
        )));
        assert!(text.contains("1–3 business days to Java"), "{text}");
    }

    #[test]
    fn a_brief_is_never_quoted_to_the_customer() {
        let responder = KbResponder::new(sample_kb(), 0.5);
        let briefs = [
            "Customer is angry about the refund; don't offer a refund again, offer store credit",
            "VIP customer, replacement ships Friday, order LG-1234 was delayed by our warehouse",
            "Pelanggan sudah dapat voucher 50rb, jangan kasih voucher lagi",
        ];
        let questions = [
            "when will my refund arrive",
            "when does my replacement ship",
            "any update on my order LG-1234?",
            "bisa pakai voucher lagi?",
            "what did your team say?",
        ];
        for brief in briefs {
            for question in questions {
                let reply =
                    responder.decide(&context(&[(Author::Customer, question)], Some(brief)));
                let text = answer_text(reply);
                for phrase in [
                    "note",
                    "brief",
                    "catatan",
                    "store credit",
                    "Friday",
                    "VIP",
                    "jangan",
                ] {
                    assert!(
                        !text.contains(phrase),
                        "{question} with {brief:?} leaked: {text}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_brief_the_agent_lets_the_ai_pass_on_answers_the_question_it_is_about() {
        let responder = KbResponder::new(sample_kb(), 0.5);
        let brief = "Your refund of Rp 150.000 was approved and reaches your card by Friday";
        let shared = |question: &str| {
            let mut context = context(&[(Author::Customer, question)], Some(brief));
            context.conversation.brief_for_customer = true;
            answer_text(responder.decide(&context))
        };
        let text = shared("when will my refund arrive?");
        assert_eq!(text, format!("{TEAM_NOTE} \u{201c}{brief}\u{201d}"));
        // In the customer's language, around the agent's own words.
        let text = shared("kapan refund saya masuk?");
        assert!(text.starts_with(TEAM_NOTE_ID), "{text}");
        assert!(text.contains(brief), "{text}");
        // A question about something else is answered as ever, without the note.
        let text = shared("How do I reset my password?");
        assert!(!text.contains(brief), "{text}");
        assert!(!text.contains(TEAM_NOTE), "{text}");
        // A request for a person still calls one.
        let mut context = context(
            &[(Author::Customer, "I want to talk to a human")],
            Some(brief),
        );
        context.conversation.brief_for_customer = true;
        assert!(matches!(responder.decide(&context), Reply::Escalate { .. }));
    }

    #[test]
    fn a_topic_the_brief_rules_out_goes_to_a_person_instead_of_an_article() {
        let responder = KbResponder::new(sample_kb(), 0.5);
        let reply = responder.decide(&context(
            &[(Author::Customer, "how long does a refund take")],
            Some("don't offer a refund again, we agreed on a replacement"),
        ));
        assert!(
            matches!(
                reply,
                Reply::Escalate {
                    reason: EscalationReason::LowConfidence,
                    ..
                }
            ),
            "{reply:?}"
        );
        assert!(ruled_out_terms("jangan tawarkan refund lagi").contains(&"refund".to_owned()));
    }

    #[test]
    fn a_second_miss_in_a_row_calls_a_person_in_either_language() {
        let responder = KbResponder::new(sample_kb(), 0.5);
        for (first, second) in [
            (NOT_SURE, "do you sell iphone 15"),
            (NOT_SURE_ID, "jual motor bekas?"),
        ] {
            let reply = responder.decide(&context(
                &[
                    (Author::Customer, "xyzzy"),
                    (Author::Ai, first),
                    (Author::Customer, second),
                ],
                None,
            ));
            assert!(
                matches!(
                    reply,
                    Reply::Escalate {
                        reason: EscalationReason::LowConfidence,
                        ..
                    }
                ),
                "{reply:?}"
            );
        }
    }

    #[test]
    fn asking_for_a_person_escalates_before_any_answer() {
        let responder = KbResponder::new(sample_kb(), 0.5);
        for message in ["agent", "cs dong", "I want to speak to your manager"] {
            let reply = responder.decide(&context(&[(Author::Customer, message)], None));
            assert!(
                matches!(
                    reply,
                    Reply::Escalate {
                        reason: EscalationReason::CustomerAsked,
                        ..
                    }
                ),
                "{message}: {reply:?}"
            );
        }
    }

    #[test]
    fn a_request_for_a_person_in_an_unanswered_line_before_the_question_still_escalates() {
        let responder = KbResponder::new(sample_kb(), 0.5);
        let asked = |transcript: &[(Author, &str)]| {
            matches!(
                responder.decide(&context(transcript, None)),
                Reply::Escalate {
                    reason: EscalationReason::CustomerAsked,
                    ..
                }
            )
        };
        // Two lines in a row, answered in one turn.
        assert!(asked(&[
            (Author::Customer, "agent please"),
            (Author::Customer, "how do I reset my password?"),
        ]));
        // A request the AI already answered is not asked again.
        assert!(!asked(&[
            (Author::Customer, "agent please"),
            (Author::Ai, "A member of our team will be with you shortly."),
            (Author::Customer, "how do I reset my password?"),
        ]));
    }

    #[test]
    fn a_question_followed_by_a_detail_is_answered_on_the_question() {
        let responder = KbResponder::new(sample_kb(), 0.5);
        let alone = responder.decide(&context(
            &[(Author::Customer, "it's the blue jacket I ordered")],
            None,
        ));
        let after_the_question = responder.decide(&context(
            &[
                (Author::Customer, "how do I reset my password?"),
                (Author::Customer, "it's the blue jacket I ordered"),
            ],
            None,
        ));
        let asked = responder.decide(&context(
            &[(Author::Customer, "how do I reset my password?")],
            None,
        ));
        assert!(
            matches!(&alone, Reply::Answer { text, .. } if text == NOT_SURE),
            "{alone:?}"
        );
        assert_eq!(after_the_question, asked);
        // A line the AI already answered is not answered again.
        let answered_before = responder.decide(&context(
            &[
                (Author::Customer, "how do I reset my password?"),
                (Author::Ai, "Press \"Forgot password\" on the sign-in page."),
                (Author::Customer, "it's the blue jacket I ordered"),
            ],
            None,
        ));
        assert!(
            matches!(&answered_before, Reply::Answer { text, .. } if text == NOT_SURE),
            "{answered_before:?}"
        );
    }
}
