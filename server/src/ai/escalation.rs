//! Recognising when a customer wants a person, or is running out of patience.

/// Phrases, English and Indonesian, that ask for a human.
const ASKS_FOR_HUMAN: &[&str] = &[
    "talk to a human",
    "speak to a human",
    "talk to human",
    "speak with a human",
    "a real person",
    "real person",
    "human agent",
    "live agent",
    "talk to someone",
    "speak to someone",
    "talk to a person",
    "speak to a person",
    "customer service",
    "customer support",
    "an operator",
    "representative",
    "bicara dengan cs",
    "bicara sama cs",
    "ngomong sama orang",
    "ngomong dengan orang",
    "mau ngomong sama orang",
    "bicara dengan orang",
    "minta cs",
    "hubungi cs",
    "agen manusia",
];

/// Words that signal frustration.
const FRUSTRATION: &[&str] = &[
    "useless",
    "ridiculous",
    "terrible",
    "awful",
    "worst",
    "angry",
    "furious",
    "unacceptable",
    "scam",
    "not helpful",
    "doesn't help",
    "does not help",
    "waste of time",
    "kesal",
    "marah",
    "parah",
    "kecewa",
    "tidak membantu",
    "nggak membantu",
];

fn normalise(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when the customer asks for a person.
pub fn asks_for_human(text: &str) -> bool {
    let text = normalise(text);
    ASKS_FOR_HUMAN.iter().any(|phrase| text.contains(phrase))
}

/// True when the customer sounds frustrated: strong words, or shouting.
pub fn sounds_frustrated(text: &str) -> bool {
    let lower = normalise(text);
    if FRUSTRATION.iter().any(|word| lower.contains(word)) {
        return true;
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let shouting = letters.len() >= 12 && letters.iter().all(|c| c.is_uppercase());
    shouting || text.contains("!!!")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_for_a_person_are_recognised_in_english_and_indonesian() {
        for phrase in [
            "Can I talk to a human please",
            "I want a REAL PERSON",
            "connect me to customer service",
            "saya mau bicara dengan CS",
            "mau ngomong sama orang aja",
        ] {
            assert!(asks_for_human(phrase), "{phrase}");
        }
        assert!(!asks_for_human("where is my order"));
    }

    #[test]
    fn frustration_is_recognised_from_words_and_shouting() {
        assert!(sounds_frustrated("this is useless"));
        assert!(sounds_frustrated("WHERE IS MY PARCEL ALREADY"));
        assert!(sounds_frustrated("still waiting!!!"));
        assert!(!sounds_frustrated("Where is my parcel?"));
    }
}
