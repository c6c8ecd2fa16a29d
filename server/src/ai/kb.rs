//! The knowledge base: articles parsed from Markdown and ranked with Okapi BM25.
//!
//! A file in `kb/` holds one topic: `# Topic` then entries `## Question` each followed by
//! their answer. Retrieval scores every article against the question and reports a
//! confidence in [0, 1]: the share of the question's information (IDF-weighted terms) the best
//! article covers.

use std::collections::{HashMap, HashSet};

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation.
const B: f32 = 0.75;
/// Title words count this many times (questions resemble titles).
const TITLE_WEIGHT: usize = 3;

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Stable id: `<file stem>/<n>`.
    pub slug: String,
    pub title: String,
    pub body: String,
}

/// The best article for a question, with how sure the ranking is.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a> {
    pub article: &'a Article,
    pub score: f32,
    pub confidence: f32,
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

const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "but",
    "by",
    "can",
    "could",
    "do",
    "does",
    "for",
    "from",
    "get",
    "have",
    "how",
    "i",
    "if",
    "in",
    "is",
    "it",
    "its",
    "me",
    "my",
    "of",
    "on",
    "or",
    "our",
    "please",
    "should",
    "so",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "this",
    "to",
    "us",
    "was",
    "we",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "hi",
    "hello",
    "thanks",
    "thank",
    "any",
    "am",
    "want",
    "need",
    "know",
    "tell",
    "about",
    "yang",
    "dan",
    "di",
    "ke",
    "ini",
    "itu",
    "saya",
    "aku",
    "apa",
    "bagaimana",
    "gimana",
    "bisa",
    "tolong",
    "mau",
];

/// Lower-case word stems without stop words.
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .filter(|word| !STOPWORDS.contains(&word.as_str()))
        .map(|word| stem(&word))
        .collect()
}

/// A light English stemmer: enough that "refunds", "refunded" and "refunding" meet.
fn stem(word: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(root) = word.strip_suffix(suffix) {
            if root.chars().count() >= 3 && !word.ends_with("ss") {
                return root.to_owned();
            }
        }
    }
    word.to_owned()
}

/// Articles indexed for BM25.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeBase {
    articles: Vec<Article>,
    /// Per article: term → count.
    frequencies: Vec<HashMap<String, usize>>,
    lengths: Vec<usize>,
    average_length: f32,
    /// Term → number of articles containing it.
    document_frequency: HashMap<String, usize>,
}

impl KnowledgeBase {
    /// Indexes `articles`.
    pub fn new(articles: Vec<Article>) -> Self {
        let mut frequencies = Vec::with_capacity(articles.len());
        let mut lengths = Vec::with_capacity(articles.len());
        let mut document_frequency: HashMap<String, usize> = HashMap::new();
        for article in &articles {
            let mut counts: HashMap<String, usize> = HashMap::new();
            let title = terms(&article.title);
            for term in title
                .iter()
                .flat_map(|t| std::iter::repeat_n(t, TITLE_WEIGHT))
            {
                *counts.entry(term.clone()).or_default() += 1;
            }
            for term in terms(&article.body) {
                *counts.entry(term).or_default() += 1;
            }
            for term in counts.keys() {
                *document_frequency.entry(term.clone()).or_default() += 1;
            }
            lengths.push(counts.values().sum());
            frequencies.push(counts);
        }
        let average_length = if lengths.is_empty() {
            0.0
        } else {
            lengths.iter().sum::<usize>() as f32 / lengths.len() as f32
        };
        Self {
            articles,
            frequencies,
            lengths,
            average_length,
            document_frequency,
        }
    }

    /// How many articles there are.
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// True when there is nothing to answer from.
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }

    fn idf(&self, term: &str) -> f32 {
        let n = self.articles.len() as f32;
        let df = self.document_frequency.get(term).copied().unwrap_or(0) as f32;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// The best-matching article for `question`, if any term matches at all.
    pub fn best(&self, question: &str) -> Option<Hit<'_>> {
        self.top(question, 1).into_iter().next()
    }

    /// The `k` best-matching articles, best first (only those matching at least one term).
    pub fn top(&self, question: &str, k: usize) -> Vec<Hit<'_>> {
        let query: HashSet<String> = terms(question).into_iter().collect();
        if query.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(usize, f32)> = (0..self.articles.len())
            .map(|i| (i, self.score(i, &query)))
            .filter(|(_, score)| *score > 0.0)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        let total_information: f32 = query.iter().map(|t| self.idf(t)).sum();
        scored
            .into_iter()
            .take(k)
            .map(|(index, score)| {
                let covered: f32 = query
                    .iter()
                    .filter(|t| self.frequencies[index].contains_key(*t))
                    .map(|t| self.idf(t))
                    .sum();
                Hit {
                    article: &self.articles[index],
                    score,
                    confidence: (covered / total_information).clamp(0.0, 1.0),
                }
            })
            .collect()
    }

    fn score(&self, index: usize, query: &HashSet<String>) -> f32 {
        let counts = &self.frequencies[index];
        let length = self.lengths[index] as f32;
        query
            .iter()
            .filter_map(|term| counts.get(term).map(|&tf| (term, tf as f32)))
            .map(|(term, tf)| {
                let norm = K1 * (1.0 - B + B * length / self.average_length.max(1.0));
                self.idf(term) * tf * (K1 + 1.0) / (tf + norm)
            })
            .sum()
    }
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

    #[test]
    fn stems_meet_across_word_forms() {
        assert_eq!(terms("Refunds refunded refunding"), vec!["refund"; 3]);
    }
}
