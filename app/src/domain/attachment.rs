//! Files a message carries: photos of a damaged parcel, a PDF invoice. A file is accepted by
//! what its bytes are, never by its name or the type the sender claims, and only the kinds a
//! browser shows without running anything: JPEG, PNG, GIF and WebP images and PDF documents.
//! An SVG (an image that can carry script) or a program renamed `.jpg` is refused.

use serde::{Deserialize, Serialize};

use super::AttachmentId;

/// The largest file a message may carry: 10 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Where a customer sends a file (`multipart/form-data`).
pub const CUSTOMER_UPLOAD_PATH: &str = "/api/chat/attach";
/// Where the owning agent sends a file (`multipart/form-data`).
pub const AGENT_UPLOAD_PATH: &str = "/api/conversations/attach";
/// Where a file is served, by its id.
pub const FILE_PATH: &str = "/api/files/{id}";

/// The longest file name kept, in characters (the extension included).
const MAX_NAME_CHARS: usize = 100;

/// A kind of file Baton accepts, recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Pdf,
}

impl FileKind {
    /// Every accepted kind.
    pub const ALL: [FileKind; 5] = [
        FileKind::Jpeg,
        FileKind::Png,
        FileKind::Gif,
        FileKind::Webp,
        FileKind::Pdf,
    ];

    /// Recognises a file by its content; `None` for anything Baton does not accept.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(FileKind::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(FileKind::Png),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(FileKind::Gif),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => {
                Some(FileKind::Webp)
            }
            [b'%', b'P', b'D', b'F', b'-', ..] => Some(FileKind::Pdf),
            _ => None,
        }
    }

    /// The media type the file is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
        }
    }

    /// The file-name extensions of this kind, the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
            FileKind::Gif => &["gif"],
            FileKind::Webp => &["webp"],
            FileKind::Pdf => &["pdf"],
        }
    }

    /// True for the kinds shown as a picture (a thumbnail in the chat).
    pub fn is_image(self) -> bool {
        self != FileKind::Pdf
    }

    /// The `accept` list of a file input: every accepted media type.
    pub fn accept_list() -> String {
        FileKind::ALL
            .iter()
            .map(|kind| kind.media_type())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A file a message carries, as every view of the conversation shows it. The bytes are
/// fetched separately (`GET /api/files/{id}`) by those allowed to read the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: AttachmentId,
    /// The file's name, cleaned, with the extension of its real kind.
    pub name: String,
    pub kind: FileKind,
    /// Size in bytes.
    pub size: u64,
}

impl Attachment {
    /// Checks a file someone sends and describes it: its kind by content, its size within
    /// [`MAX_ATTACHMENT_BYTES`], its name cleaned. Refused files are a typed error.
    pub fn accept(name: &str, bytes: &[u8]) -> Result<Attachment, AttachmentError> {
        if bytes.is_empty() {
            return Err(AttachmentError::Empty);
        }
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(AttachmentError::TooLarge);
        }
        let kind = FileKind::sniff(bytes).ok_or(AttachmentError::Refused)?;
        Ok(Attachment {
            id: AttachmentId::new(),
            name: clean_name(name, kind),
            kind,
            size: bytes.len() as u64,
        })
    }

    /// The path the file is served at, on Baton's own origin.
    pub fn url(&self) -> String {
        FILE_PATH.replace("{id}", &self.id.to_string())
    }

    /// The size as people read it: "740 KB", "2.4 MB".
    pub fn size_label(&self) -> String {
        const KB: f64 = 1024.0;
        let size = self.size as f64;
        if size < KB * KB {
            format!("{} KB", (size / KB).ceil().max(1.0))
        } else {
            format!("{:.1} MB", size / (KB * KB))
        }
    }
}

/// Why a file was refused. Nothing is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("The file is empty")]
    Empty,
    #[error("The file is larger than 10 MB: please send a smaller one")]
    TooLarge,
    #[error("Only photos (JPEG, PNG, GIF, WebP) and PDF documents can be sent")]
    Refused,
}

/// The name a file is stored and served under: the last part of what the sender called it,
/// without control characters, quotes or path separators, at most 100 characters, ending in an
/// extension of its real kind (so `invoice.exe` that is really a PDF becomes `invoice.exe.pdf`).
fn clean_name(raw: &str, kind: FileKind) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | '\'' | ';' | '<' | '>' | '`') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let cleaned = words.join(" ");
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let extensions = kind.extensions();
    let has_extension = cleaned
        .rsplit_once('.')
        .is_some_and(|(_, ext)| extensions.contains(&ext.to_ascii_lowercase().as_str()));
    let stem = match cleaned {
        "" if kind.is_image() => "photo",
        "" => "document",
        name => name,
    };
    let suffix = if has_extension {
        String::new()
    } else {
        format!(".{}", extensions[0])
    };
    let room = MAX_NAME_CHARS - suffix.chars().count();
    let stem: String = if stem.chars().count() > room {
        // Keep the end of an over-long name, where its extension is.
        let skip = stem.chars().count() - room;
        if has_extension {
            stem.chars().skip(skip).collect()
        } else {
            stem.chars().take(room).collect()
        }
    } else {
        stem.to_owned()
    };
    format!("{stem}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    #[test]
    fn files_are_recognised_by_their_first_bytes() {
        assert_eq!(
            FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(FileKind::Jpeg)
        );
        assert_eq!(FileKind::sniff(PNG), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(b"GIF89a\x01\x00"), Some(FileKind::Gif));
        assert_eq!(
            FileKind::sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some(FileKind::Webp)
        );
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
    }

    #[test]
    fn svg_programs_and_html_are_refused_whatever_their_name() {
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(
            Attachment::accept("cat.png", svg),
            Err(AttachmentError::Refused)
        );
        assert_eq!(
            Attachment::accept("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00"),
            Err(AttachmentError::Refused)
        );
        assert_eq!(
            Attachment::accept("a.gif", b"<!doctype html><script>"),
            Err(AttachmentError::Refused)
        );
        assert_eq!(
            Attachment::accept("x.png", b""),
            Err(AttachmentError::Empty)
        );
    }

    #[test]
    fn a_file_over_ten_megabytes_is_refused() {
        let mut big = PNG.to_vec();
        big.resize(MAX_ATTACHMENT_BYTES + 1, 0);
        assert_eq!(
            Attachment::accept("big.png", &big),
            Err(AttachmentError::TooLarge)
        );
        big.truncate(MAX_ATTACHMENT_BYTES);
        assert_eq!(
            Attachment::accept("big.png", &big).unwrap().size,
            10 * 1024 * 1024
        );
    }

    #[test]
    fn names_are_cleaned_and_end_in_the_real_kind() {
        let name = |raw: &str, kind| clean_name(raw, kind);
        assert_eq!(name("C:\\Users\\ana\\box.JPG", FileKind::Jpeg), "box.JPG");
        assert_eq!(name("../../etc/passwd", FileKind::Png), "passwd.png");
        assert_eq!(name("invoice.exe", FileKind::Pdf), "invoice.exe.pdf");
        assert_eq!(name("a\"b;\r\nc.png", FileKind::Png), "a b c.png");
        assert_eq!(name("", FileKind::Webp), "photo.webp");
        assert_eq!(name("  ...  ", FileKind::Pdf), "document.pdf");
        let long = format!("{}.png", "x".repeat(300));
        let cleaned = name(&long, FileKind::Png);
        assert_eq!(cleaned.chars().count(), 100);
        assert!(cleaned.ends_with(".png"));
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        let mut attachment = Attachment::accept("a.png", PNG).unwrap();
        assert_eq!(attachment.size_label(), "1 KB");
        attachment.size = 740 * 1024;
        assert_eq!(attachment.size_label(), "740 KB");
        attachment.size = 2_516_582;
        assert_eq!(attachment.size_label(), "2.4 MB");
    }
}
