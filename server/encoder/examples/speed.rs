//! How fast the encoder is here: `cargo run --release -p encoder --example speed -- DIR`.

use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("the model directory");
    let started = Instant::now();
    let encoder = encoder::Encoder::load(std::path::Path::new(&dir)).expect("the model loads");
    println!("loaded in {} ms", started.elapsed().as_millis());
    let sentences = [
        "how long will my parcel take to reach surabaya",
        "can i pay with a credit card",
        "I want to return a lamp that arrived broken, what do I do?",
        "brp lama kirim ke sby",
    ];
    let mut times = Vec::new();
    for _ in 0..25 {
        for s in sentences {
            let t = Instant::now();
            std::hint::black_box(encoder.embed(s));
            times.push(t.elapsed().as_micros());
        }
    }
    times.sort_unstable();
    println!(
        "one at a time: p50 {} µs, p99 {} µs",
        times[times.len() / 2],
        times[times.len() * 99 / 100]
    );
    let batch: Vec<&str> = sentences.iter().copied().cycle().take(64).collect();
    let t = Instant::now();
    std::hint::black_box(encoder.embed_all(&batch));
    println!("64 together: {} µs each", t.elapsed().as_micros() / 64);
}
