//! The realtime hub: fans committed events out to live subscribers.
//!
//! Per-conversation broadcast channels are created lazily on first subscription and dropped
//! when their last subscriber leaves. Agents' dashboards subscribe to one team-wide channel.
//! A receiver that lags behind loses its place in the channel (`RecvError::Lagged`); it then
//! resyncs from the store by `seq`, so nothing is dropped for it, and it never slows others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::backend::Publisher;
use app::domain::{Conversation, ConversationId, Event};
use tokio::sync::broadcast;

/// How many events a channel buffers for a slow receiver before it must resync.
const CHANNEL_CAPACITY: usize = 256;

/// Events committed together in one conversation.
#[derive(Debug, Clone)]
pub struct Published {
    pub conversation: Conversation,
    pub events: Vec<Event>,
}

/// Lazily created broadcast channels, one per conversation, plus the team channel.
pub struct Hub {
    conversations: Mutex<HashMap<ConversationId, broadcast::Sender<Arc<Published>>>>,
    team: broadcast::Sender<Arc<Published>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Self {
        Self {
            conversations: Mutex::new(HashMap::new()),
            team: broadcast::channel(CHANNEL_CAPACITY * 4).0,
        }
    }

    /// Receives every committed event of one conversation from now on.
    pub fn subscribe(&self, id: ConversationId) -> broadcast::Receiver<Arc<Published>> {
        let mut channels = self.conversations.lock().expect("hub lock poisoned");
        channels
            .entry(id)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Receives every committed event of every conversation (agents' dashboards).
    pub fn subscribe_team(&self) -> broadcast::Receiver<Arc<Published>> {
        self.team.subscribe()
    }

    /// How many conversation channels are open.
    pub fn open_channels(&self) -> usize {
        self.conversations.lock().expect("hub lock poisoned").len()
    }
}

impl Publisher for Hub {
    fn publish(&self, conversation: &Conversation, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        let published = Arc::new(Published {
            conversation: conversation.clone(),
            events: events.to_vec(),
        });
        // No receivers is not an error: nobody is watching.
        let _ = self.team.send(published.clone());
        let mut channels = self.conversations.lock().expect("hub lock poisoned");
        if let Some(sender) = channels.get(&conversation.id) {
            if sender.send(published).is_err() {
                // The last subscriber left: drop the channel.
                channels.remove(&conversation.id);
            }
        }
    }
}
