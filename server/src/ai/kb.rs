//! The knowledge base: bilingual articles parsed from Markdown, and hybrid lexical retrieval.
//!
//! A file in `kb/` holds one topic: `# Topic` then entries `## Question`, each followed by
//! its answer, an optional `Also asked as: a | b` line, and its Indonesian version (`### Pertanyaan`,
//! the answer, `Juga ditanyakan: a | b`). The whole entry is one article's body, so the store
//! keeps it as it keeps any article.
//!
//! Retrieval compares analysed terms ([`super::text`]: both languages, chat abbreviations,
//! affixes, synonyms, places) two ways and adds them: the closest single wording of the
//! question (IDF-weighted Dice overlap with the title and every variant, in either language)
//! and Okapi BM25 over the whole entry. Unknown words within one or two edits of a known
//! term count as that term. The confidence is the share of the question's information the
//! article covers, scaled by how close the closest wording is: a salient word the article
//! never mentions (a place, a product the shop does not sell) lowers it.
//!
//! An entry whose answer is a `Not answered: <note for the team>` line lists questions the
//! shop does not want the AI to answer (products it does not sell, visits, jobs, small
//! talk): it is ranked like any article, and a question it wins gets no answer
//! ([`Hit::answers`]), so a question near one of them is not answered from a neighbouring
//! article either.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use super::semantic::{cosine, Encoder};
use super::text::{edit_distance, language, term_set, terms, Language};

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation.
const B: f32 = 0.75;
/// Question wordings (title and variants) count this many times in the BM25 field.
const QUESTION_WEIGHT: usize = 2;
/// How much BM25 adds to the closest wording's overlap when ranking.
const BM25_WEIGHT: f32 = 0.35;
/// A question carrying less information than this (summed IDF: "account?", "my order")
/// is too vague to answer with confidence; its confidence shrinks in proportion.
pub const MIN_INFORMATION: f32 = 2.5;
/// How far above a question the shop keeps for a person an article must rank to be answered.
const NEAR_NOT_ANSWERED: f32 = 0.03;
/// A confidence no part of a message is asked to raise (each part costs a reading by meaning).
const SURE: f32 = 0.9;
/// A word the knowledge base never uses weighs this share of the rarest known word's IDF.
pub const UNKNOWN_WEIGHT: f32 = 1.0;

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Stable id: `<file stem>/<n>`.
    pub slug: String,
    pub title: String,
    pub body: String,
}

/// Parses one Markdown topic file into articles.
pub fn parse_markdown(stem: &str, text: &str) -> Vec<Article> {
    let mut articles = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    let flush = |current: &mut Option<(String, Vec<&str>)>, articles: &mut Vec<Article>| {
        if let Some((title, lines)) = current.take() {
            let body = lines.join("\n").trim().to_owned();
            if !body.is_empty() {
                articles.push(Article {
                    slug: format!("{stem}/{}", articles.len() + 1),
                    title,
                    body,
                });
            }
        }
    };
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            flush(&mut current, &mut articles);
            current = Some((title.trim().to_owned(), Vec::new()));
        } else if line.starts_with("# ") {
            flush(&mut current, &mut articles);
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    flush(&mut current, &mut articles);
    articles
}

/// The title and every variant of an article's question, English then Indonesian.
pub(crate) fn question_wordings<'a>(
    article: &'a Article,
    entry: &'a Entry,
) -> impl Iterator<Item = &'a str> {
    std::iter::once(article.title.as_str())
        .chain(entry.variants.iter().map(String::as_str))
        .chain(entry.title_id.as_deref())
        .chain(entry.variants_id.iter().map(String::as_str))
}

/// Okapi BM25's inverse document frequency of a term found in `df` of `n` articles.
fn idf_of(n: f32, df: f32) -> f32 {
    ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
}

/// One article's parts: the English question, answer and variants, and the Indonesian ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    pub answer: String,
    pub variants: Vec<String>,
    pub title_id: Option<String>,
    pub answer_id: Option<String>,
    pub variants_id: Vec<String>,
    /// The team's note when the AI must not answer these questions (`Not answered:`).
    pub not_answered: Option<String>,
}

const ALSO_ASKED: &str = "Also asked as:";
const NOT_ANSWERED: &str = "Not answered:";
const JUGA_DITANYAKAN: &str = "Juga ditanyakan:";

fn split_variants(line: &str) -> Vec<String> {
    line.split('|')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Entry {
    /// False for an entry of questions the AI does not answer (`Not answered:`).
    pub fn answers(&self) -> bool {
        self.not_answered.is_none()
    }

    /// Splits an article's body into its parts. A body with no markers is all English answer.
    pub fn parse(body: &str) -> Self {
        let mut entry = Entry::default();
        let mut answer: Vec<&str> = Vec::new();
        let mut answer_id: Vec<&str> = Vec::new();
        let mut indonesian = false;
        for line in body.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix(ALSO_ASKED) {
                entry.variants.extend(split_variants(rest));
            } else if let Some(rest) = line.strip_prefix(JUGA_DITANYAKAN) {
                entry.variants_id.extend(split_variants(rest));
            } else if let Some(note) = line.strip_prefix(NOT_ANSWERED) {
                entry.not_answered = Some(note.trim().to_owned());
            } else if let Some(title) = line.strip_prefix("### ") {
                indonesian = true;
                entry.title_id = Some(title.trim().to_owned());
            } else if !line.is_empty() {
                if indonesian {
                    answer_id.push(line);
                } else {
                    answer.push(line);
                }
            }
        }
        entry.answer = answer.join(" ");
        entry.answer_id = (!answer_id.is_empty()).then(|| answer_id.join(" "));
        entry
    }

    /// The answer in `language`, English when there is no Indonesian version.
    pub fn answer_in(&self, language: Language) -> &str {
        match (language, &self.answer_id) {
            (Language::Indonesian, Some(answer)) => answer,
            _ => &self.answer,
        }
    }
}

/// Articles indexed for retrieval.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeBase {
    articles: Vec<Article>,
    entries: Vec<Entry>,
    /// Per article: the term set of each wording of its question, both languages, with the
    /// wording's information (summed IDF).
    wordings: Vec<Vec<(HashSet<String>, f32)>>,
    /// Term → inverse document frequency.
    idf: HashMap<String, f32>,
    /// Per article: term → count over the whole entry (wordings weighted).
    frequencies: Vec<HashMap<String, usize>>,
    lengths: Vec<usize>,
    average_length: f32,
    /// Term → number of articles containing it.
    document_frequency: HashMap<String, usize>,
    /// Known terms by first letter, for typo tolerance.
    vocabulary: HashMap<char, Vec<String>>,
    /// See [`MIN_INFORMATION`].
    min_information: f32,
    /// See [`UNKNOWN_WEIGHT`].
    unknown_weight: f32,
    /// Sentence vectors of the wordings, when a model is loaded (see [`Self::understanding`]).
    meanings: Option<Meanings>,
    /// How words and meaning combine (see [`Calibration`]).
    calibration: Calibration,
}

/// What the confidence of an answer found by meaning rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Cosine with the article's closest wording.
    pub similarity: f32,
    /// How far that is above the best other article's.
    pub margin: f32,
    /// The confidence from words alone.
    pub lexical: f32,
    /// The share of the question's information the article's words cover.
    pub coverage: f32,
    /// How much information the question carries, up to [`MIN_INFORMATION`] (0–1).
    pub specificity: f32,
}

/// How retrieval by words and by meaning combine: the rank is the similarity plus
/// `lexical_weight` × the lexical score, and the confidence a logistic function of the
/// [`Evidence`]. Fitted on the tune half of the evaluation sets (`cargo xtask eval --split
/// tune --fit`), never on the test half.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    pub lexical_weight: f32,
    pub bias: f32,
    /// Weights of similarity, margin, lexical confidence, coverage and specificity.
    pub weights: [f32; 5],
}

/// The calibration fitted on the tune half.
pub const CALIBRATION: Calibration = Calibration {
    lexical_weight: 0.20,
    // As fitted: the responder's 0.5 lies inside the thresholds (0.40–0.80) that answered no
    // out-of-scope question of the tune half.
    bias: -3.654,
    weights: [4.569, 3.266, 4.203, 0.0, 0.0],
};

impl Default for Calibration {
    fn default() -> Self {
        CALIBRATION
    }
}

impl Evidence {
    /// The evidence as the calibration's inputs, in the order of its weights.
    pub fn inputs(&self) -> [f32; 5] {
        [
            self.similarity,
            self.margin,
            self.lexical,
            self.coverage,
            self.specificity,
        ]
    }
}

impl Calibration {
    /// The probability that the article answers the question.
    pub fn confidence(&self, evidence: &Evidence) -> f32 {
        let z = self.bias
            + self
                .weights
                .iter()
                .zip(evidence.inputs())
                .map(|(w, x)| w * x)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Every wording of every article's question, and its English answer, as sentence vectors.
#[derive(Clone)]
struct Meanings {
    encoder: Arc<Encoder>,
    /// Per article: one unit vector per wording (title and variants, both languages) and one
    /// for the English answer.
    wordings: Vec<Vec<Arc<[f32]>>>,
}

impl std::fmt::Debug for Meanings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count: usize = self.wordings.iter().map(Vec::len).sum();
        f.debug_struct("Meanings")
            .field("wordings", &count)
            .finish()
    }
}

/// A knowledge base that answers by words from the start and also by meaning once its
/// sentence model is loaded (on a thread of its own, so the server starts at once).
#[derive(Debug, Clone)]
pub struct Knowledge {
    words: Arc<KnowledgeBase>,
    meaning: Arc<OnceLock<KnowledgeBase>>,
}

impl From<KnowledgeBase> for Knowledge {
    fn from(kb: KnowledgeBase) -> Self {
        Self {
            words: Arc::new(kb),
            meaning: Arc::default(),
        }
    }
}

impl Knowledge {
    /// The index to answer from now.
    pub fn current(&self) -> &KnowledgeBase {
        self.meaning.get().unwrap_or(&self.words)
    }

    /// Loads the sentence model in `dir` and indexes every wording by meaning, on a thread
    /// of its own; answers switch over when it is done. A model that cannot be read is
    /// logged, and answers stay by words.
    pub fn learn_meanings(&self, dir: std::path::PathBuf) -> std::thread::JoinHandle<()> {
        let knowledge = self.clone();
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            match super::semantic::shared(&dir) {
                Ok(encoder) => {
                    let understood = (*knowledge.words).clone().understanding(encoder);
                    let _ = knowledge.meaning.set(understood);
                    tracing::info!(
                        model = %dir.display(),
                        ms = started.elapsed().as_millis() as u64,
                        "the AI now also understands questions by meaning"
                    );
                }
                Err(err) => tracing::error!(
                    error = %err,
                    "the sentence model could not be loaded: the AI answers by words only"
                ),
            }
        })
    }
}

/// The best article for a question, with how sure the ranking is.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a> {
    pub article: &'a Article,
    pub entry: &'a Entry,
    pub score: f32,
    /// How sure the answer is right; 0 for an entry that is not answered.
    pub confidence: f32,
    /// What the confidence rests on (similarity and margin are 0 without a model).
    pub evidence: Evidence,
}

impl Hit<'_> {
    /// False for an entry of questions the AI does not answer (`Not answered:`).
    pub fn answers(&self) -> bool {
        self.entry.answers()
    }
}

impl KnowledgeBase {
    /// Indexes `articles`.
    pub fn new(articles: Vec<Article>) -> Self {
        let entries: Vec<Entry> = articles.iter().map(|a| Entry::parse(&a.body)).collect();
        let mut wordings = Vec::with_capacity(articles.len());
        let mut frequencies = Vec::with_capacity(articles.len());
        let mut lengths = Vec::with_capacity(articles.len());
        let mut document_frequency: HashMap<String, usize> = HashMap::new();
        for (article, entry) in articles.iter().zip(&entries) {
            let questions: Vec<&str> = question_wordings(article, entry).collect();
            let sets: Vec<HashSet<String>> = questions
                .iter()
                .map(|q| term_set(q))
                .filter(|s| !s.is_empty())
                .collect();
            let mut counts: HashMap<String, usize> = HashMap::new();
            for question in &questions {
                for term in terms(question) {
                    *counts.entry(term).or_default() += QUESTION_WEIGHT;
                }
            }
            for answer in std::iter::once(entry.answer.as_str()).chain(entry.answer_id.as_deref()) {
                for term in terms(answer) {
                    *counts.entry(term).or_default() += 1;
                }
            }
            for term in counts.keys() {
                *document_frequency.entry(term.clone()).or_default() += 1;
            }
            lengths.push(counts.values().sum());
            frequencies.push(counts);
            wordings.push(sets);
        }
        let average_length = if lengths.is_empty() {
            0.0
        } else {
            lengths.iter().sum::<usize>() as f32 / lengths.len() as f32
        };
        let n = articles.len() as f32;
        let idf: HashMap<String, f32> = document_frequency
            .iter()
            .map(|(term, &df)| (term.clone(), idf_of(n, df as f32)))
            .collect();
        let wordings = wordings
            .into_iter()
            .map(|sets: Vec<HashSet<String>>| {
                sets.into_iter()
                    .map(|set| {
                        let own = set.iter().map(|t| idf.get(t).copied().unwrap_or(0.0)).sum();
                        (set, own)
                    })
                    .collect()
            })
            .collect();
        let mut vocabulary: HashMap<char, Vec<String>> = HashMap::new();
        let mut known: Vec<&String> = document_frequency.keys().collect();
        known.sort();
        for term in known {
            if let Some(first) = term.chars().next() {
                vocabulary.entry(first).or_default().push(term.clone());
            }
        }
        Self {
            articles,
            entries,
            wordings,
            frequencies,
            lengths,
            average_length,
            document_frequency,
            vocabulary,
            idf,
            min_information: MIN_INFORMATION,
            unknown_weight: UNKNOWN_WEIGHT,
            meanings: None,
            calibration: CALIBRATION,
        }
    }

    /// The same index, also ranking by meaning: every wording of every question becomes a
    /// sentence vector (computed here, a few seconds for the sample base; call it off the
    /// async runtime).
    pub fn understanding(mut self, encoder: Arc<Encoder>) -> Self {
        // Each article is what its question's wordings say and what its English answer says
        // (the answer names what customers ask about: islands, couriers, e-wallets).
        let per_article: Vec<Vec<&str>> = self
            .articles
            .iter()
            .zip(&self.entries)
            .map(|(article, entry)| {
                question_wordings(article, entry)
                    .chain(std::iter::once(entry.answer.as_str()).filter(|a| !a.is_empty()))
                    .collect()
            })
            .collect();
        let texts: Vec<&str> = per_article.iter().flatten().copied().collect();
        let mut vectors = encoder.embed_remembered(&texts).into_iter();
        let wordings = per_article
            .iter()
            .map(|texts| texts.iter().filter_map(|_| vectors.next()).collect())
            .collect();
        self.meanings = Some(Meanings { encoder, wordings });
        self
    }

    /// The same index with another [`Calibration`] (for fitting on the tune half).
    pub fn with_calibration(mut self, calibration: Calibration) -> Self {
        self.calibration = calibration;
        self
    }

    /// True when questions are also ranked by meaning.
    pub fn understands(&self) -> bool {
        self.meanings.is_some()
    }

    /// The same index with another [`UNKNOWN_WEIGHT`] (for calibrating on the tune half).
    pub fn with_unknown_weight(mut self, weight: f32) -> Self {
        self.unknown_weight = weight;
        self
    }

    /// The same index with another [`MIN_INFORMATION`] (for calibrating on the tune half).
    pub fn with_min_information(mut self, min_information: f32) -> Self {
        self.min_information = min_information.max(1e-3);
        self
    }

    /// How many articles there are.
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// True when there is nothing to answer from.
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    /// Every article's id, in order.
    pub fn slugs(&self) -> impl Iterator<Item = &str> {
        self.articles.iter().map(|a| a.slug.as_str())
    }

    /// Every wording of every question (titles and variants, both languages).
    pub fn wordings_text(&self) -> impl Iterator<Item = &str> {
        self.articles
            .iter()
            .zip(&self.entries)
            .flat_map(|(article, entry)| question_wordings(article, entry))
    }

    fn idf(&self, term: &str) -> f32 {
        match self.idf.get(term) {
            Some(&idf) => idf,
            None => self.unknown_weight * idf_of(self.articles.len() as f32, 0.0),
        }
    }

    /// `term` if known, else the known term one edit away (two for words of eight letters or
    /// more) with the same first letter, for words of six letters or more, else `term` itself (unknown: it lowers every article's confidence).
    fn corrected(&self, term: String) -> String {
        let length = term.chars().count();
        if self.document_frequency.contains_key(&term)
            || length < 6
            || !term.chars().all(|c| c.is_ascii_alphabetic())
        {
            return term;
        }
        let limit = if length >= 8 { 2 } else { 1 };
        let first = term.chars().next().unwrap_or_default();
        let best = self
            .vocabulary
            .get(&first)
            .into_iter()
            .flatten()
            .filter(|known| known.chars().count() >= 4)
            .map(|known| (edit_distance(&term, known, limit), known))
            .filter(|(distance, _)| *distance <= limit)
            .min_by(|a, b| {
                a.0.cmp(&b.0).then_with(|| {
                    let df = |t: &str| self.document_frequency.get(t).copied().unwrap_or(0);
                    df(b.1).cmp(&df(a.1))
                })
            });
        best.map_or(term, |(_, known)| known.clone())
    }

    /// The analysed, typo-corrected terms of a question.
    pub fn query_terms(&self, question: &str) -> HashSet<String> {
        terms(question)
            .into_iter()
            .map(|t| self.corrected(t))
            .collect()
    }

    /// The best-matching article for `question`, if any term matches at all.
    ///
    /// A long message often holds its question beside its story ("got the floor lamp on the
    /// 2nd. it doesn't suit the room. can I still send it back?"): the story's words dilute
    /// the question's, and no article covers them. So each of its sentences and clauses is
    /// read on its own too: the whole message's best article is answered with the confidence
    /// of its surest reading. A question the shop keeps for a person is never answered.
    pub fn best(&self, question: &str) -> Option<Hit<'_>> {
        let mut ranked = self.top(question, 2).into_iter();
        let whole = ranked.next()?;
        // Read by meaning, a question about as close to one the shop keeps for a person as to
        // an article is kept for a person too ("what's the weather in Jakarta tomorrow" is no
        // question about next-day delivery). Words alone rank on another scale.
        let whole = match ranked.next() {
            Some(next)
                if self.reads_by_meaning(question)
                    && !next.answers()
                    && whole.score - next.score < NEAR_NOT_ANSWERED =>
            {
                next
            }
            _ => whole,
        };
        let parts = parts(question);
        if parts.len() < 2 || !whole.answers() || whole.confidence >= SURE {
            return Some(whole);
        }
        // A part alone ("moved house") can be sure of a topic the whole message is not about:
        // a part only vouches for the article the whole message ranks first.
        let surest = self
            .best_of_each(&parts)
            .into_iter()
            .flatten()
            .filter(|hit| hit.article.slug == whole.article.slug)
            .fold(whole, |surest, hit| {
                if hit.confidence > surest.confidence {
                    hit
                } else {
                    surest
                }
            });
        Some(surest)
    }

    /// The `k` best-matching articles, best first (only those matching at least one term).
    pub fn top(&self, question: &str, k: usize) -> Vec<Hit<'_>> {
        let query = self.query_terms(question);
        // The sentence model knows English: Indonesian is read by its words (chat
        // abbreviations, affixes and synonyms), which rank it right far more often.
        let meaning = self
            .meanings
            .as_ref()
            .filter(|_| !query.is_empty() && self.reads_by_meaning(question))
            .map(|m| m.encoder.embed(question));
        self.rank(&query, meaning.as_deref(), k)
    }

    /// True when `text` is read by meaning as well as by words: the sentence model is loaded
    /// and knows its language (English; Indonesian is read by its words).
    fn reads_by_meaning(&self, text: &str) -> bool {
        self.meanings.is_some() && language(text) == Language::English
    }

    /// The best article for each of `texts`, the English ones read by meaning in one batch
    /// (several times faster than one by one).
    fn best_of_each(&self, texts: &[&str]) -> Vec<Option<Hit<'_>>> {
        let queries: Vec<HashSet<String>> = texts.iter().map(|t| self.query_terms(t)).collect();
        let read: Vec<bool> = texts
            .iter()
            .zip(&queries)
            .map(|(text, query)| !query.is_empty() && self.reads_by_meaning(text))
            .collect();
        let batch: Vec<&str> = texts
            .iter()
            .zip(&read)
            .filter(|(_, read)| **read)
            .map(|(text, _)| *text)
            .collect();
        let mut meanings = match &self.meanings {
            Some(m) if !batch.is_empty() => m.encoder.embed_all(&batch).into_iter(),
            _ => Vec::new().into_iter(),
        };
        queries
            .iter()
            .zip(read)
            .map(|(query, read)| {
                let meaning = if read { meanings.next() } else { None };
                self.rank(query, meaning.as_deref(), 1).into_iter().next()
            })
            .collect()
    }

    /// Like [`Self::top`], for terms already analysed (see [`Self::query_terms`]), by words
    /// alone.
    pub fn top_terms(&self, query: &HashSet<String>, k: usize) -> Vec<Hit<'_>> {
        self.rank(query, None, k)
    }

    /// Per article, the cosine of `meaning` with its closest wording.
    fn similarities(&self, meaning: Option<&[f32]>) -> Vec<f32> {
        match (meaning, &self.meanings) {
            (Some(meaning), Some(meanings)) => meanings
                .wordings
                .iter()
                .map(|vectors| {
                    vectors
                        .iter()
                        .map(|v| cosine(meaning, v))
                        .fold(0.0, f32::max)
                })
                .collect(),
            _ => vec![0.0; self.articles.len()],
        }
    }

    fn rank(&self, query: &HashSet<String>, meaning: Option<&[f32]>, k: usize) -> Vec<Hit<'_>> {
        if query.is_empty() || self.articles.is_empty() {
            return Vec::new();
        }
        let similarity = self.similarities(meaning);
        let semantic = meaning.is_some() && self.meanings.is_some();
        let weighted: Vec<(&String, f32)> = query.iter().map(|t| (t, self.idf(t))).collect();
        let information: f32 = weighted.iter().map(|(_, idf)| idf).sum();
        let bm25: Vec<f32> = (0..self.articles.len())
            .map(|i| self.bm25(i, &weighted))
            .collect();
        let top_bm25 = bm25.iter().copied().fold(0.0f32, f32::max).max(1e-6);
        let mut scored: Vec<(usize, f32, f32)> = (0..self.articles.len())
            .filter(|&i| bm25[i] > 0.0 || semantic)
            .map(|i| {
                let closest = self.closest_wording(i, &weighted, information);
                let lexical = closest + BM25_WEIGHT * bm25[i] / top_bm25;
                let score = if semantic {
                    similarity[i] + self.calibration.lexical_weight * lexical
                } else {
                    lexical
                };
                (i, score, closest)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let runner_up = |index: usize| {
            scored
                .iter()
                .filter(|s| s.0 != index)
                .map(|s| similarity[s.0])
                .fold(0.0, f32::max)
        };
        scored
            .iter()
            .take(k)
            .map(|&(index, score, closest)| {
                let covered: f32 = weighted
                    .iter()
                    .filter(|(t, _)| self.frequencies[index].contains_key(*t))
                    .map(|(_, idf)| idf)
                    .sum();
                let coverage = (covered / information).clamp(0.0, 1.0);
                let specificity = (information / self.min_information).min(1.0);
                let lexical = (specificity * coverage * (0.5 + 0.5 * closest)).clamp(0.0, 1.0);
                let evidence = Evidence {
                    similarity: similarity[index],
                    margin: similarity[index] - runner_up(index),
                    lexical,
                    coverage,
                    specificity,
                };
                let confidence = if !self.entries[index].answers() {
                    0.0
                } else if semantic {
                    self.calibration.confidence(&evidence)
                } else {
                    lexical
                };
                Hit {
                    article: &self.articles[index],
                    entry: &self.entries[index],
                    score,
                    confidence,
                    evidence,
                }
            })
            .collect()
    }

    /// The IDF-weighted Dice overlap of the question with the closest wording of article
    /// `index`'s question.
    fn closest_wording(&self, index: usize, query: &[(&String, f32)], information: f32) -> f32 {
        self.wordings[index]
            .iter()
            .map(|(wording, own)| {
                let shared: f32 = query
                    .iter()
                    .filter(|(t, _)| wording.contains(*t))
                    .map(|(_, idf)| idf)
                    .sum();
                2.0 * shared / (information + own).max(1e-6)
            })
            .fold(0.0, f32::max)
    }

    fn bm25(&self, index: usize, query: &[(&String, f32)]) -> f32 {
        let counts = &self.frequencies[index];
        let length = self.lengths[index] as f32;
        let norm = K1 * (1.0 - B + B * length / self.average_length.max(1.0));
        query
            .iter()
            .filter_map(|(term, idf)| counts.get(*term).map(|&tf| (idf, tf as f32)))
            .map(|(idf, tf)| idf * tf * (K1 + 1.0) / (tf + norm))
            .sum()
    }
}

/// The sentences and clauses of a message: split at sentence ends, semicolons, line breaks
/// and commas followed by a space (never inside "1.250.000" or "3,5"). Only a message of two
/// parts or more is read part by part.
pub(crate) fn parts(message: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut chars = message.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let ends = match c {
            '?' | '!' | ';' | '\n' => true,
            '.' | ',' => next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if ends {
            parts.push(&message[start..at]);
            start = at + c.len_utf8();
        }
    }
    parts.push(&message[start..]);
    parts.retain(|part| part.chars().any(char::is_alphanumeric));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# Shipping\n\n## How long does delivery take?\nStandard delivery takes 2–4 working days.\n\n## Do you ship abroad?\nWe ship to 30 countries.\n\n# Returns\n\n## How do I return an item?\nStart a return from your order page within 30 days.\n";

    #[test]
    fn markdown_topics_become_one_article_per_question() {
        let articles = parse_markdown("faq", SAMPLE);
        assert_eq!(articles.len(), 3);
        assert_eq!(articles[0].slug, "faq/1");
        assert_eq!(articles[0].title, "How long does delivery take?");
        assert_eq!(
            articles[2].body,
            "Start a return from your order page within 30 days."
        );
    }

    #[test]
    fn the_matching_article_ranks_first_with_high_confidence() {
        let kb = KnowledgeBase::new(parse_markdown("faq", SAMPLE));
        let hit = kb.best("how do I return my item?").unwrap();
        assert_eq!(hit.article.title, "How do I return an item?");
        assert!(hit.confidence > 0.6, "{}", hit.confidence);
    }

    #[test]
    fn an_unrelated_question_matches_nothing() {
        let kb = KnowledgeBase::new(parse_markdown("faq", SAMPLE));
        assert!(kb.best("what is the meaning of life").is_none());
    }

    const BILINGUAL: &str = "# Shipping\n\n## How long does delivery take within Indonesia?\nJava takes 1–3 business days.\nAlso asked as: how many days to Surabaya | when will it reach Bali\n### Berapa lama pengiriman di dalam Indonesia?\nKe Jawa 1–3 hari kerja.\nJuga ditanyakan: brp hari sampai ke Bandung\n\n## Which payment methods do you accept?\nCards and e-wallets.\n";

    #[test]
    fn an_entry_splits_into_english_and_indonesian_parts() {
        let articles = parse_markdown("shipping", BILINGUAL);
        assert_eq!(articles.len(), 2);
        let entry = Entry::parse(&articles[0].body);
        assert_eq!(entry.answer, "Java takes 1–3 business days.");
        assert_eq!(
            entry.variants,
            vec!["how many days to Surabaya", "when will it reach Bali"]
        );
        assert_eq!(
            entry.title_id.as_deref(),
            Some("Berapa lama pengiriman di dalam Indonesia?")
        );
        assert_eq!(
            entry.answer_in(Language::Indonesian),
            "Ke Jawa 1–3 hari kerja."
        );
        assert_eq!(
            Entry::parse(&articles[1].body).answer_in(Language::Indonesian),
            "Cards and e-wallets."
        );
    }

    #[test]
    fn a_city_the_article_does_not_name_finds_it_through_its_island() {
        let kb = KnowledgeBase::new(parse_markdown("shipping", BILINGUAL));
        let hit = kb
            .best("how long will my parcel take to reach Semarang?")
            .unwrap();
        assert_eq!(hit.article.slug, "shipping/1");
        assert_eq!(
            kb.best("brp lama kirim ke sby").unwrap().article.slug,
            "shipping/1"
        );
    }

    #[test]
    fn answers_switch_to_meaning_once_the_model_is_loaded() {
        let knowledge = Knowledge::from(KnowledgeBase::new(parse_markdown("faq", SAMPLE)));
        assert!(!knowledge.current().understands());
        knowledge
            .learn_meanings(crate::ai::semantic::default_dir())
            .join()
            .unwrap();
        assert!(
            knowledge.current().understands(),
            "`cargo xtask model` unpacks the sentence model"
        );
        let hit = knowledge
            .current()
            .best("when will my parcel get here")
            .unwrap();
        assert_eq!(hit.article.title, "How long does delivery take?");
        assert!(hit.evidence.similarity > 0.4, "{:?}", hit.evidence);
    }

    #[test]
    fn a_model_that_cannot_be_read_leaves_the_answers_to_words() {
        let knowledge = Knowledge::from(KnowledgeBase::new(parse_markdown("faq", SAMPLE)));
        knowledge
            .learn_meanings("/nonexistent/model".into())
            .join()
            .unwrap();
        assert!(!knowledge.current().understands());
        assert!(knowledge
            .current()
            .best("how do I return my item?")
            .is_some());
    }

    #[test]
    fn confidence_grows_with_similarity_and_with_words() {
        let evidence = |similarity, lexical| Evidence {
            similarity,
            margin: 0.1,
            lexical,
            coverage: 0.5,
            specificity: 1.0,
        };
        let c = |e| CALIBRATION.confidence(&e);
        assert!(c(evidence(0.8, 0.5)) > c(evidence(0.5, 0.5)));
        assert!(c(evidence(0.6, 0.8)) > c(evidence(0.6, 0.2)));
        assert!((0.0..=1.0).contains(&c(evidence(1.0, 1.0))));
    }

    #[test]
    fn a_typo_still_finds_the_word() {
        let kb = KnowledgeBase::new(parse_markdown("faq", SAMPLE));
        assert!(kb.query_terms("retrun my item").contains("return"));
    }

    #[test]
    fn a_message_splits_into_sentences_and_clauses_but_not_inside_numbers() {
        assert_eq!(
            parts("got it on the 2nd. it doesn't fit, can I send it back?\nthanks"),
            vec![
                "got it on the 2nd",
                " it doesn't fit",
                " can I send it back",
                "thanks"
            ]
        );
        assert_eq!(
            parts("it cost Rp 1.250.000 or 3,5 juta"),
            vec!["it cost Rp 1.250.000 or 3,5 juta"]
        );
        assert_eq!(parts("?!... ok"), vec![" ok"]);
    }

    #[test]
    fn a_question_told_beside_a_story_is_read_in_its_own_sentence() {
        let kb = KnowledgeBase::new(parse_markdown("faq", SAMPLE));
        let message = "my sister picked the blue one for her flat in town last week. \
                       how do I return an item?";
        let whole = kb.top(message, 1).remove(0);
        let best = kb.best(message).unwrap();
        assert_eq!(best.article.slug, whole.article.slug);
        assert!(
            best.confidence > whole.confidence + 0.2,
            "{} vs {}",
            best.confidence,
            whole.confidence
        );
        // A part vouches only for the article the whole message ranks first.
        let story = "how long does delivery take to my sister, she wants to return an item";
        assert_eq!(
            kb.best(story).unwrap().article.slug,
            kb.top(story, 1)[0].article.slug
        );
    }

    #[test]
    fn a_salient_word_the_article_lacks_lowers_confidence() {
        let kb = KnowledgeBase::new(parse_markdown("faq", SAMPLE));
        let covered = kb.best("how do I return an item").unwrap().confidence;
        let uncovered = kb.best("how do I return an iphone").unwrap().confidence;
        assert!(uncovered < covered, "{uncovered} vs {covered}");
    }

    const WITH_NOT_ANSWERED: &str = "# Returns\n\n## How do I return an item?\nStart a return from your order page within 30 days.\n\n# Not answered\n\n## Do you sell phones?\nNot answered: we sell home goods only; a person can say more.\nAlso asked as: do you have the new iphone | can I buy a samsung phone\n### Apakah kalian jual HP?\nJuga ditanyakan: jual iphone ga\n";

    #[test]
    fn questions_the_ai_does_not_answer_win_no_answer() {
        let articles = parse_markdown("faq", WITH_NOT_ANSWERED);
        let entry = Entry::parse(&articles[1].body);
        assert_eq!(
            entry.not_answered.as_deref(),
            Some("we sell home goods only; a person can say more.")
        );
        assert_eq!(entry.answer, "", "the note is never an answer");
        let kb = KnowledgeBase::new(articles);
        for question in ["can i buy the new iphone from you", "jual iphone ga"] {
            let hit = kb.best(question).unwrap();
            assert_eq!(hit.article.slug, "faq/2", "{question}");
            assert!(!hit.answers(), "{question}");
            assert_eq!(hit.confidence, 0.0, "{question}");
        }
        // The note's words are not the entry's: "home goods" does not pull questions to it.
        let hit = kb.best("how do I return an item").unwrap();
        assert!(hit.answers() && hit.confidence > 0.5, "{hit:?}");
        assert!(kb.best("home goods").is_none());
    }
}
