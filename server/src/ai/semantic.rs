//! Sentence embeddings for retrieval that understands paraphrase: the `encoder` crate's
//! BERT encoder (built optimised even in debug builds, see the workspace's Cargo.toml), one
//! per model directory per process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub use encoder::{cosine, Encoder, ModelError};

/// One encoder per model directory per process, loaded once and shared: every server in a
/// process (and every test) uses the same weights.
pub fn shared(dir: &Path) -> Result<Arc<Encoder>, Arc<ModelError>> {
    type Loaded = Result<Arc<Encoder>, Arc<ModelError>>;
    static MODELS: OnceLock<Mutex<HashMap<PathBuf, Arc<OnceLock<Loaded>>>>> = OnceLock::new();
    let slot = MODELS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(dir.to_owned())
        .or_default()
        .clone();
    slot.get_or_init(|| Encoder::load(dir).map(Arc::new).map_err(Arc::new))
        .clone()
}

/// Where `cargo xtask` unpacks the model: `target/models/all-minilm-l6-v2` in the
/// workspace.
pub fn default_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/models/all-minilm-l6-v2")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model `cargo xtask` unpacks (see [`default_dir`]).
    fn model() -> Arc<Encoder> {
        let dir = default_dir();
        shared(&dir).unwrap_or_else(|err| {
            panic!("{err}: `cargo xtask test` (or `cargo xtask model`) unpacks the model there")
        })
    }

    /// Word pieces and vectors as the model's reference implementation (Hugging Face
    /// `tokenizers` and the PyTorch model) gives them.
    #[test]
    fn the_encoder_reproduces_the_reference_model() {
        let model = model();
        let cases: [(&str, &[u32], [f32; 4]); 4] = [
            (
                "This is an example sentence",
                &[101, 2023, 2003, 2019, 2742, 6251, 102],
                [0.067_656_88, 0.063_495_9, 0.048_713_11, 0.079_304_98],
            ),
            (
                "how long will my parcel take to reach Surabaya?",
                &[
                    101, 2129, 2146, 2097, 2026, 20463, 2202, 2000, 3362, 7505, 19736, 3148, 1029,
                    102,
                ],
                [0.061_961, 0.000_503, -0.006_209, 0.009_185],
            ),
            (
                "Brp lama kirim ke sby??",
                &[
                    101, 7987, 2361, 18832, 11382, 20026, 17710, 24829, 2100, 1029, 1029, 102,
                ],
                [-0.040_834, 0.037_16, 0.028_138, -0.021_292],
            ),
            (
                "Café naïve — résumé…",
                &[101, 7668, 15743, 1517, 13746, 1529, 102],
                [-0.026_496, -0.010_199, 0.022_401, 0.042_724],
            ),
        ];
        for (text, pieces, head) in cases {
            assert_eq!(model.tokens(text), pieces, "{text}");
            let vector = model.embed(text);
            assert_eq!(vector.len(), 384);
            for (got, want) in vector.iter().zip(head) {
                assert!(
                    (got - want).abs() < 1e-4,
                    "{text}: {:?} vs {head:?}",
                    &vector[..4]
                );
            }
        }
        let cos = cosine(
            &model.embed("This is an example sentence"),
            &model.embed("Each sentence is converted"),
        );
        assert!((cos - 0.404_56).abs() < 1e-3, "{cos}");
    }

    #[test]
    fn paraphrases_land_closer_than_other_topics() {
        let model = model();
        let question = model.embed("how long will my parcel take to reach surabaya");
        let paraphrase = model.embed("how many days until my package arrives in Surabaya");
        let other = model.embed("can I pay with a credit card");
        assert!(cosine(&question, &paraphrase) > 0.8);
        assert!(cosine(&question, &other) < 0.3);
    }

    #[test]
    fn remembered_vectors_are_computed_once_and_match_those_computed_alone() {
        let model = model();
        let texts = [
            "how do i return an item",
            "can i pay with ovo",
            "how do i return an item",
        ];
        let remembered = model.embed_remembered(&texts);
        assert_eq!(remembered.len(), 3);
        assert!(Arc::ptr_eq(&remembered[0], &remembered[2]));
        assert!(Arc::ptr_eq(
            &remembered[1],
            &model.embed_remembered(&[texts[1]])[0]
        ));
        for (text, vector) in texts.iter().zip(&remembered) {
            assert!(
                (cosine(vector, &model.embed(text)) - 1.0).abs() < 1e-4,
                "{text}"
            );
        }
    }

    #[test]
    fn a_long_message_is_cut_to_the_longest_input() {
        let model = model();
        let long = "refund ".repeat(500);
        assert_eq!(model.tokens(&long).len(), encoder::MAX_TOKENS);
        assert_eq!(model.embed(&long).len(), 384);
    }
}
