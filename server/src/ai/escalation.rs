//! Recognising when a customer wants a person, or is running out of patience.
//!
//! A phrase list misses how people actually ask ("agent", "cs", "min bales dong", "get me
//! your manager", "mau komplen"), so this is a small trained text classifier: multinomial
//! logistic regression over word unigrams and bigrams (after chat abbreviations are
//! expanded), character 3- and 4-grams of each word (which carry typos such as "agnet" or
//! "hooman" to the right side), the message's length in words and whether it shouts.
//!
//! It is trained when first used (a few milliseconds) from `kb/intents.tsv` and the **tune**
//! halves of `kb/eval/escalation.tsv`, `in_scope.tsv` and `out_of_scope.tsv` (ordinary
//! questions that must not escalate), all compiled into the binary. The **test** halves are
//! never trained on; `cargo xtask eval` reports on them. Rules that must never fail stay
//! rules elsewhere: the "Talk to a person" button and a second miss in a row.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::text::normalised_words;

/// What a customer's message asks of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intent {
    /// Anything else: a question, thanks, an order number.
    None,
    /// Asks for a person: a human, an agent, a manager, to complain to someone.
    Person,
    /// Frustration or a complaint.
    Upset,
}

impl Intent {
    fn index(self) -> usize {
        self as usize
    }

    /// Reads the label used in the data files: `none`, `person`, `upset`.
    pub fn from_label(label: &str) -> Option<Self> {
        match label.trim() {
            "none" => Some(Self::None),
            "person" => Some(Self::Person),
            "upset" => Some(Self::Upset),
            _ => None,
        }
    }

    /// True when the message should bring in a person.
    pub fn escalates(self) -> bool {
        self != Self::None
    }
}

const SEED: &str = include_str!("../../../kb/intents.tsv");
const ESCALATION_SET: &str = include_str!("../../../kb/eval/escalation.tsv");
const IN_SCOPE_SET: &str = include_str!("../../../kb/eval/in_scope.tsv");
const OUT_OF_SCOPE_SET: &str = include_str!("../../../kb/eval/out_of_scope.tsv");
/// The sample knowledge base: every wording of its questions is an ordinary message.
const KNOWLEDGE_BASE: [(&str, &str); 7] = [
    ("accounts", include_str!("../../../kb/accounts.md")),
    ("not-answered", include_str!("../../../kb/not-answered.md")),
    ("orders", include_str!("../../../kb/orders.md")),
    ("payments", include_str!("../../../kb/payments.md")),
    ("products", include_str!("../../../kb/products.md")),
    ("returns", include_str!("../../../kb/returns.md")),
    ("shipping", include_str!("../../../kb/shipping.md")),
];

/// Every word of the sample knowledge base, questions and answers, in both languages.
static KNOWLEDGE_BASE_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    KNOWLEDGE_BASE
        .iter()
        .flat_map(|(_, text)| super::text::words(text))
        .collect()
});

/// How the classifier is trained and decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Training passes over the examples.
    pub epochs: usize,
    /// Step size of the AdaGrad updates.
    pub learning_rate: f32,
    /// L2 penalty per update, keeping weights small where data is thin.
    pub l2: f32,
    /// Character n-grams of each word (typo tolerance) besides whole words.
    pub char_grams: bool,
    /// A message escalates when the probability that it is ordinary falls below this.
    pub threshold: f32,
    /// Only a message with a cue (see [`has_cue`]) may escalate...
    pub require_cue: bool,
    /// ...unless the probability that it is ordinary is below this.
    pub sure: f32,
}

/// The shipped parameters, chosen by five-fold cross-validation on the tune halves.
pub const PARAMS: Params = Params {
    epochs: 40,
    learning_rate: 0.1,
    l2: 1e-2,
    char_grams: true,
    threshold: 0.7,
    require_cue: true,
    sure: 0.05,
};

/// Word classes that carry the intent beyond any one wording, English and Indonesian (after
/// chat abbreviations are expanded). A word within one edit of a class word (two for words
/// of seven letters or more) with the same first letter belongs to it, so typos ("agnet",
/// "humen", "komplen") still count.
const LEXICON: &[(&str, &[&str])] = &[
    (
        "person",
        &[
            "human",
            "humans",
            "person",
            "people",
            "agent",
            "agents",
            "cs",
            "admin",
            "manager",
            "supervisor",
            "staff",
            "operator",
            "representative",
            "rep",
            "someone",
            "somebody",
            "anyone",
            "anybody",
            "team",
            "orang",
            "manusia",
            "petugas",
            "staf",
            "atasan",
            "manajer",
            "agen",
            "customer",
            "service",
            "support",
            "care",
            "layanan",
            "pelanggan",
            "real",
            "actual",
            "live",
            "asli",
            "beneran",
            "langsung",
            "boss",
            "min",
            "mimin",
            "cso",
            "helpdesk",
            "hotline",
        ],
    ),
    (
        "request",
        &[
            "talk",
            "speak",
            "chat",
            "connect",
            "transfer",
            "put",
            "get",
            "want",
            "need",
            "call",
            "bring",
            "hand",
            "let",
            "minta",
            "mau",
            "ingin",
            "pengen",
            "bicara",
            "ngomong",
            "ngobrol",
            "sambung",
            "sambungkan",
            "sambungin",
            "hubungkan",
            "hubungi",
            "panggil",
            "panggilin",
            "panggilkan",
            "telepon",
            "telpon",
            "dibantu",
            "bantuan",
            "butuh",
            "perlu",
            "please",
            "now",
            "dong",
        ],
    ),
    (
        "complain",
        &[
            "complain",
            "complaint",
            "escalate",
            "escalation",
            "komplain",
            "keluhan",
            "eskalasi",
            "lapor",
            "report",
            "review",
            "ylki",
            "consumer",
            "protection",
        ],
    ),
    (
        "negative",
        &[
            "useless",
            "ridiculous",
            "worst",
            "terrible",
            "awful",
            "angry",
            "furious",
            "hopeless",
            "unacceptable",
            "joke",
            "scam",
            "fed",
            "sucks",
            "wtf",
            "disappointed",
            "frustrating",
            "frustrated",
            "nowhere",
            "unbelievable",
            "seriously",
            "ignoring",
            "ignore",
            "never",
            "kesal",
            "kesel",
            "kzl",
            "marah",
            "kecewa",
            "parah",
            "buruk",
            "jelek",
            "penipuan",
            "penipu",
            "muak",
            "capek",
            "nyesel",
            "menyesal",
            "becus",
            "anjir",
            "sumpah",
            "payah",
            "bodoh",
            "lambat",
            "macam",
            "ribet",
            "respon",
            "dijawab",
            "jawab",
            "hate",
            "lazy",
            "slow",
            "rude",
            "incompetent",
            "pathetic",
            "nonsense",
            "stupid",
            "dumb",
            "annoying",
            "annoyed",
            "upset",
            "mad",
            "damn",
            "bullshit",
            "crap",
            "fuck",
            "shit",
            "kesel",
            "bete",
            "sebel",
            "ngeselin",
            "lelet",
            "lemot",
            "tipu",
            "bohong",
            "goblok",
            "tolol",
            "brengsek",
            "sialan",
            "astaga",
            "ampun",
            "kapok",
        ],
    ),
    (
        "bot",
        &[
            "bot",
            "robot",
            "ai",
            "machine",
            "automated",
            "botnya",
            "mesin",
        ],
    ),
];

/// Where a word of [`IN_CONTEXT`] belongs to its lexicon class.
#[derive(Clone, Copy)]
enum Context {
    /// After a negation, one or two words before ("not helpful", "tidak terlalu membantu").
    Negated,
    /// Right after one of the given words: "in" ("person in charge"), "even" ("are you even
    /// reading this").
    After(&'static [&'static str]),
    /// Right before one of the given words: "me" ("help me").
    Before(&'static [&'static str]),
    /// Anywhere in a message whose last word is one of the given words: "is anyone from the
    /// shop there".
    InMessageEndingWith(&'static [&'static str]),
}

/// Words that speak of a person or a complaint only in a context, with the lexicon class they
/// then belong to: "not helpful" or "gak nyambung" is a complaint, "the article was helpful"
/// is not; "person in charge" names a person, "delivery charge" does not.
const IN_CONTEXT: &[(Context, &str, &[&str])] = &[
    (
        Context::Negated,
        "negative",
        &[
            "helpful",
            "helping",
            "sense",
            "membantu",
            "guna",
            "nyambung",
            "reply",
            "replied",
            "replying",
            "respond",
            "responded",
            "responding",
            "dibalas",
            "dibales",
            "balas",
            "bales",
            "dibalesin",
            "solution",
            "solutions",
            "solved",
            "resolved",
            "solusi",
            // No word at all: "gak ada kejelasan", "belum ada kabar", "tidak ada kepastian".
            "kejelasan",
            "kepastian",
            "kabar",
        ],
    ),
    (Context::After(&["in"]), "person", &["charge"]),
    // Reporting or suing the shop is a threat; reporting a broken lamp is not.
    (
        Context::Before(&["you", "u", "kalian", "kamu", "lu", "anda"]),
        "negative",
        &["report", "sue", "lapor", "laporin", "laporkan", "tuntut"],
    ),
    // "Is anyone there?", "anybody from the shop here?" asks for a person to answer.
    (
        Context::InMessageEndingWith(&["there", "here"]),
        "request",
        &["anyone", "anybody", "someone", "somebody"],
    ),
    // "I'd like" and "would like" ask for something; "like" alone does not.
    (Context::After(&["id", "would"]), "request", &["like"]),
    // "Can someone help me" asks for a person; "does your team help with bulk orders" does not.
    (Context::Before(&["me"]), "request", &["help"]),
    // Asking to be called is asking for a person: "call me back", "bisa telepon saya?".
    (
        Context::Before(&["me"]),
        "person",
        &["call", "phone", "ring"],
    ),
    (
        Context::Before(&["saya", "aku"]),
        "person",
        &["telepon", "telpon", "hubungi"],
    ),
    // The same answer again is a complaint; the same colour again is not.
    (
        Context::After(&["same"]),
        "negative",
        &[
            "answer",
            "answers",
            "reply",
            "replies",
            "response",
            "responses",
            "message",
            "messages",
        ],
    ),
    (
        Context::After(&["even"]),
        "negative",
        &[
            "reading",
            "read",
            "listening",
            "listen",
            "understand",
            "understanding",
            "paying",
            "trying",
            "checking",
            "looking",
        ],
    ),
];

/// Contexts where a word loses a lexicon class it otherwise has: "speak" or "bicara" right
/// before a language asks which language, not for a person ("do your staff speak english");
/// help already given asks for nothing more ("tadi sudah dibantu cs", "already helped").
const OUT_OF_CONTEXT: &[(Context, &str)] = &[
    (Context::Before(LANGUAGES), "request"),
    // "Never got", "never arrived" tell what happened; "never again" is frustration.
    (
        Context::Before(&[
            "got",
            "get",
            "received",
            "receive",
            "arrived",
            "arrive",
            "came",
            "come",
            "showed",
            "reached",
            "delivered",
        ]),
        "negative",
    ),
    (Context::After(&["sudah", "telah", "already"]), "request"),
];

/// Languages, by name in English and Indonesian.
const LANGUAGES: &[&str] = &[
    "english",
    "indonesian",
    "bahasa",
    "inggris",
    "indonesia",
    "malay",
    "melayu",
    "chinese",
    "mandarin",
    "japanese",
    "korean",
    "arabic",
    "dutch",
    "french",
    "german",
    "spanish",
];

/// Words that negate the word after them, or the one after that ("not very helpful").
const NEGATORS: &[&str] = &[
    "not", "no", "isnt", "isn", "dont", "doesnt", "didnt", "wasnt", "arent", "cant", "cannot",
    "tidak", "kurang", "bukan", "belum", "tak", "nggak", "ngga",
];

/// The lexicon's classes of the word at `index` of `words`: those of the lexicon words it is
/// (or is a typo of), and those of the words of [`IN_CONTEXT`] where their context holds.
fn lexicon_classes_at(words: &[String], index: usize) -> Vec<&'static str> {
    let word = words[index].as_str();
    // A common word is never a typo of a lexicon word ("have" is not "hate"), nor is a word
    // the knowledge base itself uses ("tipe", a plug's type, is not "tipu").
    let typos = !super::text::is_stop_word(word) && !KNOWLEDGE_BASE_WORDS.contains(word);
    let is_one_of = |list: &[&str]| list.iter().any(|w| is_or_misspells(word, w, typos));
    let mut classes: Vec<&'static str> = LEXICON
        .iter()
        .filter(|(_, list)| is_one_of(list))
        .map(|(class, _)| *class)
        .collect();
    for (context, class, list) in IN_CONTEXT {
        if !classes.contains(class) && is_one_of(list) && holds(*context, words, index) {
            classes.push(class);
        }
    }
    for (context, class) in OUT_OF_CONTEXT {
        if holds(*context, words, index) {
            classes.retain(|c| c != class);
        }
    }
    classes
}

/// True when the word at `index` of `words` stands in `context`.
fn holds(context: Context, words: &[String], index: usize) -> bool {
    match context {
        Context::Negated => negated(words, index),
        Context::After(list) => index
            .checked_sub(1)
            .is_some_and(|i| list.contains(&words[i].as_str())),
        Context::Before(list) => words
            .get(index + 1)
            .is_some_and(|next| list.contains(&next.as_str())),
        Context::InMessageEndingWith(list) => words
            .last()
            .is_some_and(|last| list.contains(&last.as_str())),
    }
}

/// True when a negator is one or two words before the word at `index` ("not helpful", "not
/// very helpful"), the word itself not being one.
fn negated(words: &[String], index: usize) -> bool {
    let is_negator = |w: &String| NEGATORS.contains(&w.as_str());
    !is_negator(&words[index]) && words[index.saturating_sub(2)..index].iter().any(is_negator)
}

/// True when `word` is the lexicon word `w` or, when `typos` allows, a typo of it: one edit
/// in words of four to six letters, two from seven letters on, the first letter kept.
fn is_or_misspells(word: &str, w: &str, typos: bool) -> bool {
    let limit = match word.len().min(w.len()) {
        _ if !typos => 0,
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    };
    w == word
        || (limit > 0
            && w.chars().next() == word.chars().next()
            && w.len().abs_diff(word.len()) <= limit
            && super::text::edit_distance(word, w, limit) <= limit)
}

/// True when the features have anything that can carry a wish for a person or frustration:
/// a complaint, a negative word, a bot, shouting or "!!", or a word naming a person either
/// in a short message ("agent", "real human pls") or beside a request ("can I talk to your
/// team"). A request verb alone ("I want a different colour") is not a cue, nor is a person
/// named in a longer message that asks nothing of them ("does your team work on weekends").
fn has_cue(features: &[String]) -> bool {
    let has = |name: &str| features.iter().any(|f| f == name);
    ["lex:complain", "lex:negative", "lex:bot", "shout", "bangs"]
        .into_iter()
        .any(has)
        || (has("lex:person") && (has("lex:person&request") || !has("len:4")))
}

/// The features of a message: sparse, named, each present once.
pub fn features(text: &str) -> Vec<String> {
    features_with(text, true)
}

fn features_with(text: &str, char_grams: bool) -> Vec<String> {
    let words = normalised_words(text);
    let mut out = Vec::with_capacity(words.len() * 8 + 4);
    out.push("bias".to_owned());
    out.push(format!("len:{}", words.len().min(4)));
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 12 && letters.iter().all(|c| c.is_uppercase()) {
        out.push("shout".to_owned());
    }
    if text.contains("!!") {
        out.push("bangs".to_owned());
    }
    if text.contains('?') {
        out.push("question".to_owned());
    }
    let mut classes: Vec<&str> = (0..words.len())
        .flat_map(|i| lexicon_classes_at(&words, i))
        .collect();
    classes.sort_unstable();
    classes.dedup();
    for class in &classes {
        out.push(format!("lex:{class}"));
        out.push(format!("lex:{class}&len:{}", words.len().min(4)));
    }
    for (i, a) in classes.iter().enumerate() {
        for b in &classes[i + 1..] {
            out.push(format!("lex:{a}&{b}"));
        }
    }
    for (i, word) in words.iter().enumerate() {
        // A negated word is its own feature: "helpful" learns from "the article was
        // helpful", "not helpful" from complaints.
        let scope = if negated(&words, i) { "not_" } else { "" };
        out.push(format!("w:{scope}{word}"));
        if let Some(next) = words.get(i + 1) {
            out.push(format!("b:{word}_{next}"));
        }
        if !char_grams {
            continue;
        }
        let padded: Vec<char> = format!("^{word}$").chars().collect();
        for n in [3, 4] {
            for gram in padded.windows(n) {
                out.push(format!("c{n}:{scope}{}", gram.iter().collect::<String>()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A trained intent classifier.
#[derive(Debug, Clone)]
pub struct Classifier {
    params: Params,
    index: HashMap<String, usize>,
    /// Per feature, one weight per intent.
    weights: Vec<[f32; 3]>,
}

/// `(intent, message)` pairs from a data file. `split` keeps only that half of a
/// `split<TAB>language<TAB>…` evaluation file; `None` reads `intent<TAB>message` lines.
pub fn examples(data: &str, split: Option<&str>) -> Vec<(Intent, String)> {
    data.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            match (split, columns.as_slice()) {
                (None, [label, text]) => Some((Intent::from_label(label)?, (*text).to_owned())),
                (Some(half), [s, _, label, text]) if *s == half => {
                    match Intent::from_label(label) {
                        Some(intent) => Some((intent, (*text).to_owned())),
                        // in_scope.tsv: the third column is an article id: an ordinary question.
                        None => Some((Intent::None, (*text).to_owned())),
                    }
                }
                (Some(half), [s, _, text]) if *s == half => {
                    Some((Intent::None, (*text).to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

/// A message as the test-half check compares it: lower case, no closing question mark.
fn normalised(text: &str) -> String {
    text.trim().trim_end_matches('?').to_lowercase()
}

/// Every wording of every question of the sample knowledge base (titles and variants, both
/// languages, the questions the AI does not answer among them), as ordinary messages: what
/// customers ask ("am I charged in USD?") is not a complaint. A wording that is also a
/// message of a test half (an article's title can be) is left out.
pub fn knowledge_base_questions() -> Vec<(Intent, String)> {
    let test_half: std::collections::HashSet<String> =
        [ESCALATION_SET, IN_SCOPE_SET, OUT_OF_SCOPE_SET]
            .into_iter()
            .flat_map(|set| examples(set, Some("test")))
            .map(|(_, text)| normalised(&text))
            .collect();
    let mut questions = Vec::new();
    for (stem, text) in KNOWLEDGE_BASE {
        for article in super::kb::parse_markdown(stem, text) {
            let entry = super::kb::Entry::parse(&article.body);
            questions.extend(
                super::kb::question_wordings(&article, &entry)
                    .filter(|wording| !test_half.contains(&normalised(wording)))
                    .map(|wording| (Intent::None, wording.to_owned())),
            );
        }
    }
    questions
}

/// Everything the shipped classifier learns from: never a test half.
pub fn training_examples() -> Vec<(Intent, String)> {
    let mut all = examples(SEED, None);
    all.extend(knowledge_base_questions());
    all.extend(examples(ESCALATION_SET, Some("tune")));
    all.extend(examples(IN_SCOPE_SET, Some("tune")));
    all.extend(examples(OUT_OF_SCOPE_SET, Some("tune")));
    all
}

fn softmax(scores: [f32; 3]) -> [f32; 3] {
    let max = scores.iter().copied().fold(f32::MIN, f32::max);
    let exp = scores.map(|s| (s - max).exp());
    let sum: f32 = exp.iter().sum();
    exp.map(|e| e / sum)
}

impl Classifier {
    /// Trains on `examples` with AdaGrad, classes weighted to balance, in a fixed order:
    /// the same data always gives the same model.
    pub fn train(examples: &[(Intent, String)], params: Params) -> Self {
        let mut index: HashMap<String, usize> = HashMap::new();
        let encoded: Vec<(Intent, Vec<usize>)> = examples
            .iter()
            .map(|(intent, text)| {
                let ids = features_with(text, params.char_grams)
                    .into_iter()
                    .map(|f| {
                        let next = index.len();
                        *index.entry(f).or_insert(next)
                    })
                    .collect();
                (*intent, ids)
            })
            .collect();
        let mut counts = [0usize; 3];
        for (intent, _) in &encoded {
            counts[intent.index()] += 1;
        }
        let class_weight = counts.map(|c| encoded.len() as f32 / (3.0 * c.max(1) as f32));
        let mut weights = vec![[0.0f32; 3]; index.len()];
        let mut squared = vec![[1e-8f32; 3]; index.len()];
        // A fixed interleaving instead of a random shuffle: stride through the examples.
        let n = encoded.len();
        let stride = (1..n.max(2))
            .rev()
            .find(|s| gcd(*s, n) == 1 && *s < n / 2 + 1)
            .unwrap_or(1);
        for epoch in 0..params.epochs {
            for step in 0..n {
                let (intent, ids) = &encoded[(step * stride + epoch) % n];
                let mut scores = [0.0f32; 3];
                for &id in ids {
                    for k in 0..3 {
                        scores[k] += weights[id][k];
                    }
                }
                let p = softmax(scores);
                for k in 0..3 {
                    let target = if k == intent.index() { 1.0 } else { 0.0 };
                    let gradient = (p[k] - target) * class_weight[intent.index()];
                    for &id in ids {
                        let g = gradient + params.l2 * weights[id][k];
                        squared[id][k] += g * g;
                        weights[id][k] -= params.learning_rate * g / squared[id][k].sqrt();
                    }
                }
            }
        }
        Self {
            params,
            index,
            weights,
        }
    }

    /// How many features it has weights for.
    pub fn feature_count(&self) -> usize {
        self.weights.len()
    }

    /// The probability of each intent for `text`: `[none, person, upset]`.
    pub fn probabilities(&self, text: &str) -> [f32; 3] {
        self.probabilities_of(&features_with(text, self.params.char_grams))
    }

    fn probabilities_of(&self, features: &[String]) -> [f32; 3] {
        let mut scores = [0.0f32; 3];
        for feature in features {
            if let Some(&id) = self.index.get(feature) {
                for (k, score) in scores.iter_mut().enumerate() {
                    *score += self.weights[id][k];
                }
            }
        }
        softmax(scores)
    }

    /// The most likely intent of `text`.
    pub fn intent(&self, text: &str) -> Intent {
        if text.trim().is_empty() {
            return Intent::None;
        }
        let features = features_with(text, self.params.char_grams);
        let p = self.probabilities_of(&features);
        let none = p[Intent::None.index()];
        let cue = !self.params.require_cue || has_cue(&features);
        if none >= self.params.threshold || (!cue && none >= self.params.sure) {
            Intent::None
        } else if p[Intent::Person.index()] >= p[Intent::Upset.index()] {
            Intent::Person
        } else {
            Intent::Upset
        }
    }
}

/// Cross-validated figures on the tune halves: escalations recognised, and ordinary
/// messages (the escalation set's and the questions') wrongly escalated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrossValidation {
    pub escalate: usize,
    pub recognised: usize,
    pub ordinary: usize,
    pub falsely_escalated: usize,
    /// Each message classified wrongly, with what it should have been and the probabilities.
    pub misses: Vec<String>,
}

/// Trains on all folds but one of the tune halves (plus `kb/intents.tsv`, always) and
/// classifies the fold left out, for each of `folds` folds.
pub fn cross_validate(params: Params, folds: usize) -> CrossValidation {
    let mut seed = examples(SEED, None);
    seed.extend(knowledge_base_questions());
    let mut tune = examples(ESCALATION_SET, Some("tune"));
    tune.extend(examples(IN_SCOPE_SET, Some("tune")));
    tune.extend(examples(OUT_OF_SCOPE_SET, Some("tune")));
    let mut figures = CrossValidation::default();
    for fold in 0..folds {
        let mut training = seed.clone();
        training.extend(
            tune.iter()
                .enumerate()
                .filter(|(i, _)| i % folds != fold)
                .map(|(_, e)| e.clone()),
        );
        let classifier = Classifier::train(&training, params);
        for (_, (expected, text)) in tune.iter().enumerate().filter(|(i, _)| i % folds == fold) {
            let escalates = classifier.intent(text).escalates();
            if escalates != expected.escalates() {
                figures.misses.push(format!(
                    "{text} ({expected:?}) {:?}",
                    classifier.probabilities(text)
                ));
            }
            if expected.escalates() {
                figures.escalate += 1;
                figures.recognised += usize::from(escalates);
            } else {
                figures.ordinary += 1;
                figures.falsely_escalated += usize::from(escalates);
            }
        }
    }
    figures
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The shipped classifier, trained on first use.
static CLASSIFIER: LazyLock<Classifier> =
    LazyLock::new(|| Classifier::train(&training_examples(), PARAMS));

/// Trains the shipped classifier on a background thread now, so that the first customer
/// does not wait for it. Calling it again does nothing.
pub fn prepare() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| LazyLock::force(&CLASSIFIER));
    });
}

/// What `text` asks of the conversation, by the shipped classifier.
///
/// A long message may ask for a person in one of its sentences only ("hand me over to a
/// human pls, this is about a bulk order of 80 lamps …"): each sentence or clause of two words
/// or more is heard on its own too, for requests for a person. Frustration is judged on the
/// whole message (a clause alone, "gak ada komplain kok", reads wrongly).
pub fn intent(text: &str) -> Intent {
    let whole = CLASSIFIER.intent(text);
    if whole.escalates() {
        return whole;
    }
    let parts = super::kb::parts(text);
    if parts.len() < 2 {
        return whole;
    }
    parts
        .into_iter()
        // One word before a comma is how a chat greets ("min, …", "kak, …"), not a request.
        .filter(|part| part.split_whitespace().nth(1).is_some())
        .map(|part| CLASSIFIER.intent(part))
        .find(|intent| *intent == Intent::Person)
        .unwrap_or(whole)
}

/// True when the customer asks for a person.
pub fn asks_for_human(text: &str) -> bool {
    intent(text) == Intent::Person
}

/// True when the customer sounds frustrated or complains.
pub fn sounds_frustrated(text: &str) -> bool {
    intent(text) == Intent::Upset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_for_a_person_in_one_sentence_of_a_long_message_is_heard() {
        assert_eq!(
            intent(
                "put me through to a person please, this is about a wholesale order of 60 \
                 towels for our guesthouse in lombok and the delivery dates"
            ),
            Intent::Person
        );
        // A greeting before the comma is no request.
        for ordinary in [
            "min, sy mau ganti alamat pengiriman",
            "kak, ongkir ke medan brp",
        ] {
            assert_eq!(intent(ordinary), Intent::None, "{ordinary}");
        }
    }

    /// The lexicon's classes of a message, as the classifier sees them.
    fn classes(text: &str) -> Vec<String> {
        features(text)
            .into_iter()
            .filter(|f| f.starts_with("lex:") && !f.contains('&'))
            .collect()
    }

    #[test]
    fn lexicon_words_count_only_in_their_context() {
        // A common word is not a typo of a lexicon word, praise is not a complaint and a
        // price is not a person.
        for ordinary in [
            "i have a question about my order",
            "the size guide was helpful, thanks",
            "that makes sense now",
            "delivery charge to Bali",
            "am I charged in rupiah",
            "infonya membantu, makasih",
            "the solution worked",
            "i like the new lamp",
            "i want the same colour as last time",
            "what is the phone number on my account",
            "colokannya tipe apa",
        ] {
            let cues: Vec<String> = classes(ordinary)
                .into_iter()
                .filter(|c| c != "lex:request")
                .collect();
            assert_eq!(cues, Vec::<String>::new(), "{ordinary}");
        }
        for (message, class) in [
            ("this is not helpful at all", "lex:negative"),
            ("your answers make no sense", "lex:negative"),
            ("jawabannya tidak membantu", "lex:negative"),
            ("ga nyambung jawabannya", "lex:negative"),
            ("who is the person in charge here", "lex:person"),
            ("i'd like your support team to look at this", "lex:request"),
            ("can a staff member help me", "lex:request"),
            ("bisa telepon saya?", "lex:person"),
            ("please call me back", "lex:person"),
            ("stop giving me the same answer", "lex:negative"),
            ("i hate this", "lex:negative"),
            ("i hatee this", "lex:negative"),
            ("udah 3 kali nanya gak ada solusi", "lex:negative"),
            ("still not resolved", "lex:negative"),
            ("sudah seminggu belum ada kabar", "lex:negative"),
            ("nunggu lama gak ada kepastian", "lex:negative"),
            ("is anyone from the shop there", "lex:request"),
            (
                "im going to report you to consumer protection",
                "lex:negative",
            ),
            ("saya laporkan kalian", "lex:negative"),
        ] {
            assert!(
                classes(message).contains(&class.to_owned()),
                "{message}: {:?}",
                classes(message)
            );
        }
    }

    #[test]
    fn requests_for_a_person_are_recognised_in_english_and_indonesian() {
        for phrase in [
            "Can I talk to a human please",
            "I want a REAL PERSON",
            "connect me to customer service",
            "saya mau bicara dengan CS",
            "mau ngomong sama orang aja",
            "humann",
            "can i get ur manager",
            "sambungin ke admin plis",
        ] {
            assert!(asks_for_human(phrase), "{phrase}");
        }
    }

    #[test]
    fn speaking_a_language_is_no_request() {
        assert!(!classes("do your staff speak english").contains(&"lex:request".to_owned()));
        assert!(!classes("bisa bicara bahasa inggris").contains(&"lex:request".to_owned()));
        assert!(classes("can i speak to your staff").contains(&"lex:request".to_owned()));
    }

    #[test]
    fn what_never_arrived_is_a_fact_and_never_again_is_frustration() {
        let negative = |m: &str| classes(m).contains(&"lex:negative".to_owned());
        assert!(!negative("never got an email after buying"));
        assert!(!negative("my parcel never arrived"));
        assert!(negative("never shopping here again"));
    }

    #[test]
    fn help_already_given_is_no_request() {
        assert!(!classes("tadi sudah dibantu cs, makasih").contains(&"lex:request".to_owned()));
        assert!(classes("mau dibantu cs").contains(&"lex:request".to_owned()));
    }

    #[test]
    fn ordinary_questions_do_not_ask_for_a_person() {
        for phrase in [
            "where is my order",
            "berapa ongkir ke medan",
            "thanks, that's all",
            "can i pay with a credit card",
            "",
        ] {
            assert_eq!(intent(phrase), Intent::None, "{phrase}");
        }
    }

    #[test]
    fn frustration_is_recognised_from_words_and_shouting() {
        assert!(sounds_frustrated("this is useless"));
        assert!(sounds_frustrated("WHY HAS NOBODY ANSWERED MY QUESTION"));
        assert!(sounds_frustrated("kecewa banget sama pelayanannya"));
        assert!(!sounds_frustrated("Where is my parcel?"));
    }

    #[test]
    fn no_reply_and_doubting_that_anyone_reads_are_cues() {
        let cue = |text: &str| has_cue(&features(text));
        assert!(cue("kok gak dibales sih"));
        assert!(cue("why no reply"));
        assert!(cue("are you even reading what i write"));
        // The same words where they are no complaint.
        assert!(!cue("i will reply tomorrow"));
        assert!(!cue("i am reading the return policy"));
    }

    #[test]
    fn training_never_reads_a_test_half() {
        let training: Vec<String> = training_examples()
            .into_iter()
            .map(|(_, t)| normalised(&t))
            .collect();
        let test_only: Vec<String> = examples(ESCALATION_SET, Some("test"))
            .into_iter()
            .map(|(_, t)| normalised(&t))
            .filter(|t| {
                !examples(ESCALATION_SET, Some("tune"))
                    .iter()
                    .any(|(_, u)| normalised(u) == *t)
                    && !examples(SEED, None)
                        .iter()
                        .any(|(_, u)| normalised(u) == *t)
                    && !examples(IN_SCOPE_SET, Some("tune"))
                        .iter()
                        .any(|(_, u)| normalised(u) == *t)
            })
            .collect();
        // The knowledge base's own title "How long is the return window?" is a test-half
        // message: it must be among those left out of training.
        assert!(test_only.contains(&"how long is the return window".to_owned()));
        assert!(!test_only.is_empty());
        for text in test_only {
            assert!(!training.contains(&text), "{text}");
        }
    }

    #[test]
    fn the_same_data_trains_the_same_model() {
        let data = training_examples();
        let a = Classifier::train(&data, PARAMS).probabilities("agent pls");
        let b = Classifier::train(&data, PARAMS).probabilities("agent pls");
        assert_eq!(a, b);
    }
}
