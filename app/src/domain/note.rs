//! Private notes: what agents write to each other inside a conversation. A note is never shown
//! to the customer, never sent over the customer's socket and never read by the AI; an
//! `@name` in it notifies that agent.

use super::AgentRef;

/// The agents a note mentions: every `@word` that is an agent's first name or their whole
/// name written without spaces (letter case aside), each agent once, in the order written.
/// `@budi` and `@BudiSantoso` both mention Budi Santoso; an e-mail address mentions nobody.
pub fn mentions(text: &str, team: &[AgentRef]) -> Vec<AgentRef> {
    let mut found: Vec<AgentRef> = Vec::new();
    let mut previous = ' ';
    for (at, c) in text.char_indices() {
        let starts_mention = c == '@' && !previous.is_alphanumeric();
        previous = c;
        if !starts_mention {
            continue;
        }
        let word: String = text[at + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
            .collect();
        let word = word.trim_end_matches(['.', '-']).to_lowercase();
        if word.is_empty() {
            continue;
        }
        for agent in team {
            let first = agent.name.split_whitespace().next().unwrap_or_default();
            let whole: String = agent.name.split_whitespace().collect();
            let named = first.to_lowercase() == word || whole.to_lowercase() == word;
            if named && !found.iter().any(|known| known.id == agent.id) {
                found.push(agent.clone());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AgentId;

    fn agent(name: &str) -> AgentRef {
        AgentRef {
            id: AgentId::new(),
            name: name.into(),
        }
    }

    #[test]
    fn an_at_name_mentions_that_agent_once() {
        let (ana, budi, citra) = (
            agent("Ana Putri"),
            agent("Budi Santoso"),
            agent("Citra Dewi"),
        );
        let team = [ana.clone(), budi.clone(), citra.clone()];
        assert_eq!(
            mentions(
                "@budi can you check the refund? cc @Citra. Thanks @BUDI",
                &team
            ),
            vec![budi.clone(), citra]
        );
        assert_eq!(mentions("@AnaPutri: VIP customer", &team), vec![ana]);
        assert_eq!(mentions("(@budi-)", &team), vec![budi]);
    }

    #[test]
    fn addresses_strangers_and_bare_signs_mention_nobody() {
        let team = [agent("Ana Putri"), agent("Budi Santoso")];
        assert!(mentions("write to budi@baton.dev", &team).is_empty());
        assert!(mentions("@ everyone, @dewi, @@", &team).is_empty());
        assert!(mentions("no mention here", &team).is_empty());
    }
}
