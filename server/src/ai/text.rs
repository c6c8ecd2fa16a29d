//! Turning what customers type into comparable terms, in English and Indonesian.
//!
//! Customers write short, sloppy, often code-mixed messages ("brp lama kirim ke sby?"). Before
//! retrieval every text, article and question alike, goes through the same steps:
//! lower-casing and splitting, multi-word phrases joined ("ongkos kirim", "cash on delivery"),
//! chat abbreviations expanded ("brp" → "berapa", "sby" → "surabaya"), stop words of both
//! languages dropped, Indonesian affixes stripped ("dikirimkan" → "kirim") and English
//! suffixes ("refunded" → "refund"), and synonyms of both languages mapped to one concept
//! ("pengiriman", "delivery" and "shipping" all become `ship`). A city adds its island or
//! country ("surabaya" also says `java`), so a question about Surabaya meets the article that
//! speaks of Java.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Multi-word phrases, matched on the lower-cased text with word boundaries, and what they
/// become. Longer phrases first.
const PHRASES: &[(&str, &str)] = &[
    ("cash on delivery", "cod"),
    ("send it back", "return"),
    ("send them back", "return"),
    ("send something back", "return"),
    ("send back", "return"),
    ("sending it back", "return"),
    ("kirim balik", "return"),
    ("kirim kembali", "return"),
    ("sampai kapan", "deadline"),
    ("time limit", "deadline"),
    // Someone else's things in the parcel are the wrong item; someone else's address is not.
    ("someone elses order", "wrong item"),
    ("someone elses package", "wrong item"),
    ("someone elses parcel", "wrong item"),
    ("someone elses items", "wrong item"),
    ("someone elses item", "wrong item"),
    ("someone elses stuff", "wrong item"),
    ("somebody elses order", "wrong item"),
    ("somebody elses package", "wrong item"),
    ("barang orang lain", "wrong item"),
    ("paket orang lain", "wrong item"),
    ("pesanan orang lain", "wrong item"),
    ("someone elses", "wrong"),
    ("somebody elses", "wrong"),
    // A parcel "di jalan" is in transit ("paketku ilang di jalan").
    ("di jalan", "transit"),
    ("di perjalanan", "transit"),
    ("dalam perjalanan", "transit"),
    ("one more", "add"),
    ("until when", "deadline"),
    ("batas waktu", "deadline"),
    ("how much", "cost"),
    ("berapa harga", "cost"),
    ("bayar di tempat", "cod"),
    ("pay on delivery", "cod"),
    ("ongkos kirim", "shipcost"),
    ("biaya kirim", "shipcost"),
    ("biaya pengiriman", "shipcost"),
    ("shipping cost", "shipcost"),
    ("shipping fee", "shipcost"),
    ("delivery fee", "shipcost"),
    ("delivery cost", "shipcost"),
    ("shipping price", "shipcost"),
    ("ongkir", "shipcost"),
    ("free shipping", "free shipcost"),
    ("free delivery", "free shipcost"),
    ("gift card", "giftcard"),
    ("gift cards", "giftcard"),
    ("gift voucher", "giftcard"),
    ("gift vouchers", "giftcard"),
    ("kartu hadiah", "giftcard"),
    ("voucher hadiah", "giftcard"),
    ("e-gift card", "giftcard"),
    ("promo code", "promocode"),
    ("promo codes", "promocode"),
    ("kode promo", "promocode"),
    ("discount code", "promocode"),
    ("kode diskon", "promocode"),
    ("voucher code", "promocode"),
    ("kode voucher", "promocode"),
    ("coupon", "promocode"),
    ("coupons", "promocode"),
    ("kupon", "promocode"),
    ("kata sandi", "password"),
    ("money back", "refund"),
    ("no money", "refund"),
    ("where is my money", "refund"),
    ("my money", "refund"),
    ("uang kembali", "refund"),
    ("uang saya kembali", "refund"),
    ("uang saya dikembalikan", "refund"),
    ("pengembalian dana", "refund"),
    ("dana kembali", "refund"),
    ("duit balik", "refund"),
    ("mata uang", "currency"),
    ("bea cukai", "customs"),
    ("bea masuk", "customs"),
    ("pajak impor", "customs"),
    ("import tax", "customs"),
    ("import taxes", "customs"),
    ("import duty", "customs"),
    ("customs duty", "customs"),
    ("luar negeri", "abroad"),
    ("sold out", "stock"),
    ("out of stock", "stock"),
    ("back in stock", "stock"),
    ("stok habis", "stock"),
    ("same day", "express"),
    ("next day", "express"),
    ("sign up", "register"),
    ("log in", "login"),
    ("new zealand", "zealand"),
    ("selandia baru", "zealand"),
    ("united states", "usa"),
    ("the us", "usa"),
    ("the states", "usa"),
    ("amerika serikat", "usa"),
    ("kuala lumpur", "kualalumpur malaysia"),
    ("ho chi minh", "hochiminh vietnam"),
    ("virtual account", "virtualaccount"),
    ("nomor resi", "track"),
    ("no resi", "track"),
    ("tracking number", "track"),
    ("sampai mana", "where"),
    ("di mana", "where"),
    ("address book", "addressbook"),
    ("buku alamat", "addressbook"),
    ("nomor hp", "phone"),
    ("no hp", "phone"),
    ("nomor telepon", "phone"),
    ("phone number", "phone"),
    ("final sale", "finalsale"),
    // A whole parcel gone missing is lost; something missing from it is a missing item.
    ("went missing", "lost"),
    ("gone missing", "lost"),
    ("package is missing", "package lost"),
    ("parcel is missing", "parcel lost"),
    ("package missing", "package lost"),
    ("parcel missing", "parcel lost"),
    // Something the parcel should have held and did not: "the charger wasn't inside", "half
    // my items are not there", "one item short", "kabelnya gak ada di dalam".
    ("not inside", "missing"),
    ("not in the box", "missing"),
    ("not in the package", "missing"),
    ("not in the parcel", "missing"),
    ("was not there", "missing"),
    ("were not there", "missing"),
    ("are not there", "missing"),
    ("was not included", "missing"),
    ("were not included", "missing"),
    ("item short", "missing"),
    ("items short", "missing"),
    ("short one", "missing"),
    ("tidak ada di dalam", "missing"),
    ("tidak ada dalam paket", "missing"),
    ("tidak ada di paket", "missing"),
    ("tidak ada di kardus", "missing"),
    ("tidak lengkap", "missing"),
    ("not complete", "missing"),
    ("in pieces", "damaged"),
    ("into pieces", "damaged"),
    ("made of", "material"),
    ("made from", "material"),
    ("terbuat dari", "material"),
    ("dibuat dari", "material"),
    ("coming back", "stock"),
    ("not turn on", "faulty"),
    ("not switch on", "faulty"),
    ("not work", "faulty"),
    ("not charge", "faulty"),
    ("tidak menyala", "faulty"),
    ("tidak nyala", "faulty"),
    ("hong kong", "othercountry"),
    ("south korea", "othercountry"),
    ("united kingdom", "othercountry"),
    ("new york", "othercountry"),
    ("saudi arabia", "othercountry"),
    ("australia post", "courier"),
    ("j&t", "courier"),
    ("not working", "faulty"),
    ("tidak berfungsi", "faulty"),
    ("tidak mau nyala", "faulty"),
    ("gak mau nyala", "faulty"),
    ("mesin cuci piring", "dishwasher"),
    ("berubah pikiran", "changemind"),
    ("changed my mind", "changemind"),
    ("change my mind", "changemind"),
];

/// Chat abbreviations and informal spellings, one word to one or more words.
const SLANG: &[(&str, &str)] = &[
    ("sy", "saya"),
    ("gw", "saya"),
    ("gue", "saya"),
    ("ak", "aku"),
    ("brp", "berapa"),
    ("brapa", "berapa"),
    ("gmn", "bagaimana"),
    ("gimana", "bagaimana"),
    ("gmana", "bagaimana"),
    ("bgmn", "bagaimana"),
    ("tdk", "tidak"),
    ("gak", "tidak"),
    ("ga", "tidak"),
    ("gk", "tidak"),
    ("nggak", "tidak"),
    ("ngga", "tidak"),
    ("enggak", "tidak"),
    ("ndak", "tidak"),
    ("udh", "sudah"),
    ("udah", "sudah"),
    ("sdh", "sudah"),
    ("dah", "sudah"),
    ("blm", "belum"),
    ("belom", "belum"),
    ("yg", "yang"),
    ("dgn", "dengan"),
    ("utk", "untuk"),
    ("dmn", "where"),
    ("dimana", "where"),
    ("krn", "karena"),
    ("bs", "bisa"),
    ("bsa", "bisa"),
    ("org", "orang"),
    ("skrg", "sekarang"),
    ("tp", "tapi"),
    ("jg", "juga"),
    ("aja", "saja"),
    ("knp", "kenapa"),
    ("msh", "masih"),
    ("lg", "lagi"),
    ("sm", "sama"),
    ("ama", "sama"),
    ("trs", "terus"),
    ("bgt", "banget"),
    ("tlg", "tolong"),
    ("pls", "please"),
    ("plz", "please"),
    ("plis", "please"),
    ("u", "you"),
    ("ur", "your"),
    ("pkg", "package"),
    ("pw", "password"),
    ("pass", "password"),
    ("passwd", "password"),
    ("acc", "account"),
    ("acct", "account"),
    ("addr", "address"),
    ("nyampe", "sampai"),
    ("nyampai", "sampai"),
    ("nyampenya", "sampai"),
    ("dateng", "datang"),
    ("balikin", "kembalikan"),
    ("dibalikin", "dikembalikan"),
    ("pake", "pakai"),
    ("tuker", "tukar"),
    ("ilang", "hilang"),
    ("hrs", "harus"),
    ("jkt", "jakarta"),
    ("sby", "surabaya"),
    ("jogja", "yogyakarta"),
    ("yogya", "yogyakarta"),
    ("jogjakarta", "yogyakarta"),
    ("bdg", "bandung"),
    ("smg", "semarang"),
    ("sg", "singapore"),
    ("sgp", "singapore"),
    ("kl", "kualalumpur malaysia"),
    ("oz", "australia"),
    ("aussie", "australia"),
    ("dlm", "dalam"),
    ("dr", "dari"),
    ("klo", "kalau"),
    ("kalo", "kalau"),
    ("emg", "memang"),
    ("pengen", "ingin"),
    ("pgn", "ingin"),
    ("mo", "mau"),
    ("cancelin", "cancel"),
    ("batalin", "batal"),
    ("dicancel", "cancel"),
    ("wa", "whatsapp"),
    ("hp", "phone"),
    ("tlp", "telepon"),
    ("tmn", "teman"),
    ("temen", "teman"),
    ("pesen", "pesan"),
    ("pesenan", "pesanan"),
    ("bener", "benar"),
    ("cod", "cod"),
    ("dipake", "dipakai"),
    ("kepake", "terpakai"),
    ("kekunci", "terkunci"),
    ("dlu", "dulu"),
    ("emailnya", "email"),
    ("thx", "thanks"),
    ("tq", "thanks"),
    ("ty", "thanks"),
    ("dont", "not"),
    ("didnt", "not"),
    ("cant", "not"),
    ("wont", "not"),
    ("isnt", "not"),
    ("wasnt", "was not"),
    ("werent", "were not"),
    ("arent", "are not"),
    ("doesnt", "not"),
    ("hasnt", "not"),
    ("havent", "not"),
    ("wheres", "where"),
    ("whats", "what"),
    ("im", "i"),
];

/// Words that carry no topic, English and Indonesian (after abbreviations are expanded).
const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "been",
    "but",
    "by",
    "can",
    "could",
    "do",
    "does",
    "did",
    "for",
    "from",
    "get",
    "got",
    "have",
    "has",
    "had",
    "how",
    "i",
    "if",
    "in",
    "is",
    "it",
    "its",
    "me",
    "my",
    "mine",
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
    "were",
    "we",
    "what",
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
    "hey",
    "thanks",
    "thank",
    "any",
    "am",
    "want",
    "need",
    "know",
    "tell",
    "about",
    "just",
    "still",
    "some",
    "one",
    "there",
    "yet",
    "now",
    "pls",
    "ok",
    "okay",
    "also",
    "again",
    "possible",
    "someone",
    "something",
    "really",
    "much",
    "many",
    "very",
    "into",
    "up",
    "out",
    "after",
    "before",
    "id",
    "like",
    "way",
    "able",
    "not",
    "no",
    "yes",
    "help",
    "yang",
    "dan",
    "di",
    "ke",
    "dari",
    "ini",
    "itu",
    "saya",
    "aku",
    "kamu",
    "anda",
    "apa",
    "bagaimana",
    "bisa",
    "tolong",
    "mau",
    "ada",
    "dong",
    "deh",
    "sih",
    "nih",
    "ya",
    "yah",
    "kok",
    "kak",
    "ka",
    "kakak",
    "min",
    "gan",
    "sis",
    "bro",
    "halo",
    "hai",
    "tidak",
    "sudah",
    "belum",
    "untuk",
    "dengan",
    "atau",
    "juga",
    "saja",
    "lagi",
    "sama",
    "apakah",
    "kah",
    "lah",
    "pun",
    "kalau",
    "kenapa",
    "karena",
    "masih",
    "tapi",
    "terus",
    "banget",
    // "when" as a conjunction ("pecah pas sampai": broken when it arrived), not "kapan".
    "pas",
    "saat",
    "ketika",
    "harus",
    "akan",
    "sedang",
    "lagi",
    "dalam",
    "pada",
    "para",
    "oleh",
    "agar",
    "supaya",
    "nya",
    "punya",
    "ingin",
    "dulu",
    "memang",
    "sekarang",
    "mohon",
    "bagaimanakah",
    "adakah",
    "bisakah",
    "apa",
    "aja",
    "kan",
    "tuh",
    "loh",
    "dll",
    "gitu",
    "begitu",
    "sekali",
    "nanti",
    "udah",
    "sini",
    "situ",
    "mana",
    "berapa",
    "kami",
    "kita",
    "mereka",
    "dia",
    "beliau",
    "tersebut",
    "seperti",
    "jika",
    "bila",
    "maka",
    "pak",
    "bu",
    "ibu",
    "bapak",
    "mas",
    "mbak",
    "using",
    "use",
    "put",
    "say",
    "says",
    "said",
    "few",
    "since",
    "already",
    "give",
    "added",
    "something",
    "anything",
    "everything",
    "somehow",
    "actually",
    "guys",
    "lot",
    "dapat",
    "dapet",
    "buat",
    "kasih",
    "tau",
    "tahu",
    "gitu",
    "banyak",
    "sedikit",
    "tersedia",
    "sih",
    "kemarin",
    "still",
    "even",
    "here",
    "per",
    "via",
    // Common verbs, adverbs and adjectives: never what a question is about, and never a
    // sign that it is about something the shop does not cover.
    "keep",
    "keeps",
    "kept",
    "going",
    "go",
    "goes",
    "went",
    "gone",
    "come",
    "comes",
    "came",
    "take",
    "takes",
    "took",
    "taken",
    "make",
    "made",
    "makes",
    "let",
    "lets",
    "try",
    "tried",
    "trying",
    "see",
    "saw",
    "seen",
    "look",
    "looking",
    "looks",
    "find",
    "found",
    "think",
    "thought",
    "wonder",
    "wondering",
    "ask",
    "asking",
    "asked",
    "mean",
    "means",
    "seems",
    "seem",
    "happen",
    "happens",
    "happened",
    "happening",
    "able",
    "okay",
    "sure",
    "well",
    "good",
    "great",
    "fine",
    "bad",
    "new",
    "old",
    "last",
    "next",
    "first",
    "other",
    "same",
    "own",
    "right",
    "left",
    "every",
    "each",
    "all",
    "both",
    "more",
    "most",
    "less",
    "least",
    "only",
    "too",
    "quite",
    "pretty",
    "so",
    "such",
    "much",
    "exactly",
    "maybe",
    "probably",
    "possibly",
    "basically",
    "currently",
    "recently",
    "today",
    "tonight",
    "ago",
    "soon",
    "later",
    "ever",
    "always",
    "usually",
    "sometimes",
    "hey",
    "hmm",
    "um",
    "uh",
    "oh",
    "ah",
    "guys",
    "pls",
    "kindly",
    "urgent",
    "urgently",
    "asap",
    "quick",
    "quickly",
    "simple",
    "question",
    "questions",
    "query",
    "info",
    "information",
    "details",
    "detail",
    "regarding",
    "re",
    "concerning",
    "because",
    "while",
    "though",
    "although",
    "however",
    "anyway",
    "btw",
    "hi",
    "dear",
    "sir",
    "madam",
    "team",
    "guys",
    "someone",
    "anyone",
    "im",
    "ive",
    "youre",
    "theyre",
    "its",
    "thats",
    "theres",
    "whats",
    "hows",
    "lol",
    "haha",
    "ya",
    "yeah",
    "yep",
    "nope",
    "gonna",
    "wanna",
    "gotta",
    "should",
    "shall",
    "might",
    "must",
    "may",
    "supposed",
    "already",
    "yet",
    "almost",
    "really",
    "very",
    "mine",
    "yours",
    "him",
    "her",
    "his",
    "hers",
    "they",
    "he",
    "she",
    "these",
    "those",
    "setelah",
    "sebelum",
    "sesudah",
    "available",
    "availability",
    "buy",
    "buying",
    "bought",
    "sell",
    "sells",
    "selling",
    "beli",
    "membeli",
    "belanja",
    "jual",
    "menjual",
    "jualan",
    "extra",
    "additional",
    "tambahan",
    "shown",
    "show",
    "appear",
    "anymore",
    "guy",
    "oops",
    "oh",
    "instead",
    "name",
    "tadi",
    "barusan",
    "kemarin",
    "besoknya",
    "lalu",
    "baru",
    "kayak",
    "kaya",
    "sama",
    "gitu",
    "aja",
    "doang",
    "banget",
    "kali",
    "kira",
    "kira2",
    "mungkin",
    "soalnya",
    "terus",
    "trus",
    "kok",
    "sebenarnya",
    "sebenernya",
    "emang",
    "gimana",
    "mohon",
    "info",
    "infonya",
    "tanya",
    "nanya",
    "bertanya",
    "mau",
    "pengen",
    "coba",
];

/// Synonyms of both languages and their one concept. Keys are words or their stems.
const CONCEPTS: &[(&str, &str)] = &[
    ("ship", "ship"),
    ("shipping", "ship"),
    ("deliver", "ship"),
    ("delivery", "ship"),
    ("delivered", "ship"),
    ("kirim", "ship"),
    ("pengiriman", "ship"),
    ("dispatch", "dispatch"),
    ("dispatched", "dispatch"),
    ("parcel", "parcel"),
    ("package", "parcel"),
    ("paket", "parcel"),
    ("box", "parcel"),
    ("kardus", "parcel"),
    ("order", "order"),
    ("pesan", "order"),
    ("pesanan", "order"),
    ("orderan", "order"),
    ("purchase", "order"),
    ("bought", "order"),
    ("item", "item"),
    ("barang", "item"),
    ("brg", "item"),
    ("product", "item"),
    ("produk", "item"),
    ("stuff", "item"),
    ("thing", "item"),
    ("refund", "refund"),
    ("return", "return"),
    ("retur", "return"),
    ("returnable", "return"),
    ("kembali", "return"),
    ("balik", "return"),
    ("send back", "return"),
    ("cancel", "cancel"),
    ("cancelled", "cancel"),
    ("batal", "cancel"),
    ("lama", "long"),
    ("long", "long"),
    ("hari", "day"),
    ("bulan", "month"),
    ("sebulan", "month"),
    ("month", "month"),
    ("minggu", "week"),
    ("seminggu", "week"),
    ("week", "week"),
    ("day", "day"),
    ("waktu", "time"),
    ("estimasi", "time"),
    ("estimate", "time"),
    ("biaya", "cost"),
    ("harga", "cost"),
    ("ongkos", "cost"),
    ("tarif", "cost"),
    ("fee", "cost"),
    ("price", "cost"),
    ("cost", "cost"),
    ("gratis", "free"),
    ("free", "free"),
    ("bayar", "pay"),
    ("pay", "pay"),
    ("payment", "pay"),
    ("paid", "pay"),
    ("akun", "account"),
    ("account", "account"),
    ("profile", "account"),
    ("profil", "account"),
    ("password", "password"),
    ("sandi", "password"),
    ("email", "email"),
    ("e-mail", "email"),
    ("mail", "email"),
    ("surel", "email"),
    ("alamat", "address"),
    ("address", "address"),
    ("ganti", "change"),
    ("ubah", "change"),
    ("change", "change"),
    ("update", "change"),
    ("edit", "change"),
    ("tukar", "exchange"),
    ("exchange", "exchange"),
    ("swap", "exchange"),
    ("ukuran", "size"),
    ("size", "size"),
    ("warna", "colour"),
    ("color", "colour"),
    ("colour", "colour"),
    ("rusak", "damaged"),
    ("damage", "damaged"),
    ("damaged", "damaged"),
    ("broken", "damaged"),
    ("broke", "damaged"),
    ("pecah", "damaged"),
    ("cracked", "damaged"),
    ("crack", "damaged"),
    ("retak", "damaged"),
    ("penyok", "damaged"),
    ("crushed", "damaged"),
    ("shattered", "damaged"),
    ("faulty", "faulty"),
    ("defective", "faulty"),
    ("defect", "faulty"),
    ("cacat", "faulty"),
    ("mati", "faulty"),
    ("repair", "repair"),
    ("servis", "repair"),
    ("perbaiki", "repair"),
    ("salah", "wrong"),
    ("wrong", "wrong"),
    ("keliru", "wrong"),
    ("beda", "different"),
    ("different", "different"),
    ("kurang", "missing"),
    ("missing", "missing"),
    ("incomplete", "missing"),
    ("lengkap", "complete"),
    ("hilang", "lost"),
    ("lost", "lost"),
    ("lacak", "track"),
    ("track", "track"),
    ("resi", "track"),
    ("where", "where"),
    ("kapan", "when"),
    ("when", "when"),
    ("garansi", "warranty"),
    ("warranty", "warranty"),
    ("guarantee", "warranty"),
    ("jaminan", "warranty"),
    ("stok", "stock"),
    ("stock", "stock"),
    ("restock", "stock"),
    ("restok", "stock"),
    ("habis", "stock"),
    ("kosong", "stock"),
    ("hadiah", "gift"),
    ("kado", "gift"),
    ("gift", "gift"),
    ("present", "gift"),
    ("invoice", "invoice"),
    ("faktur", "invoice"),
    ("kuitansi", "invoice"),
    ("receipt", "invoice"),
    ("nota", "invoice"),
    ("currency", "currency"),
    ("kurs", "currency"),
    ("grosir", "bulk"),
    ("wholesale", "bulk"),
    ("bulk", "bulk"),
    ("partai", "bulk"),
    ("ekspres", "express"),
    ("express", "express"),
    ("kilat", "express"),
    ("fastest", "express"),
    ("faster", "express"),
    ("besok", "tomorrow"),
    ("tomorrow", "tomorrow"),
    ("customs", "customs"),
    ("duty", "customs"),
    ("duties", "customs"),
    ("pajak", "tax"),
    ("tax", "tax"),
    ("abroad", "abroad"),
    ("overseas", "abroad"),
    ("international", "abroad"),
    ("internationally", "abroad"),
    ("internasional", "abroad"),
    ("negara", "country"),
    ("country", "country"),
    ("countries", "country"),
    ("singapura", "singapore"),
    ("filipina", "philippines"),
    ("eropa", "othercountry"),
    ("amerika", "othercountry"),
    ("america", "othercountry"),
    ("hapus", "delete"),
    ("delete", "delete"),
    ("remove", "delete"),
    ("tutup", "close"),
    ("close", "close"),
    ("daftar", "register"),
    ("register", "register"),
    ("registrasi", "register"),
    ("signup", "register"),
    ("buat", "create"),
    ("bikin", "create"),
    ("create", "create"),
    ("make", "create"),
    ("lupa", "forgot"),
    ("forgot", "forgot"),
    ("forget", "forgot"),
    ("remember", "forgot"),
    ("ingat", "forgot"),
    ("kunci", "locked"),
    ("locked", "locked"),
    ("lock", "locked"),
    ("blocked", "locked"),
    ("blokir", "locked"),
    ("unlock", "locked"),
    ("langganan", "subscribe"),
    ("subscribe", "subscribe"),
    ("unsubscribe", "subscribe"),
    ("newsletter", "newsletter"),
    ("berhenti", "stop"),
    ("stop", "stop"),
    ("promosi", "promotion"),
    ("promo", "promotion"),
    ("marketing", "promotion"),
    ("promotional", "promotion"),
    ("diskon", "discount"),
    ("discount", "discount"),
    ("potongan", "discount"),
    ("konfirmasi", "confirm"),
    ("confirmation", "confirm"),
    ("confirm", "confirm"),
    ("tolak", "declined"),
    ("ditolak", "declined"),
    ("declined", "declined"),
    ("decline", "declined"),
    ("gagal", "fail"),
    ("fail", "fail"),
    ("failed", "fail"),
    ("kartu", "card"),
    ("card", "card"),
    ("kredit", "credit"),
    ("credit", "credit"),
    ("transfer", "transfer"),
    ("bukti", "proof"),
    ("proof", "proof"),
    ("tanpa", "without"),
    ("without", "without"),
    ("tamu", "guest"),
    ("guest", "guest"),
    ("tegangan", "voltage"),
    ("voltage", "voltage"),
    ("volt", "voltage"),
    ("colokan", "plug"),
    ("plug", "plug"),
    ("steker", "plug"),
    ("bahan", "material"),
    ("material", "material"),
    ("made", "material"),
    ("dimension", "size"),
    ("dimensions", "size"),
    ("measurement", "size"),
    ("measurements", "size"),
    ("measure", "size"),
    // Every coin is the same question: a way to pay the shop does not take.
    ("crypto", "crypto"),
    ("cryptocurrency", "crypto"),
    ("kripto", "crypto"),
    ("bitcoin", "crypto"),
    ("btc", "crypto"),
    ("ethereum", "crypto"),
    ("eth", "crypto"),
    ("usdt", "crypto"),
    ("dogecoin", "crypto"),
    // Selling the shop's goods on: a reseller, a dropshipper, a distributor.
    ("reseller", "resell"),
    ("resell", "resell"),
    ("reselling", "resell"),
    ("dropship", "resell"),
    ("dropshipper", "resell"),
    ("dropshipping", "resell"),
    ("distributor", "resell"),
    ("big", "large"),
    ("bigger", "large"),
    ("large", "large"),
    ("besar", "large"),
    ("gopay", "ewallet"),
    ("ovo", "ewallet"),
    ("shopeepay", "ewallet"),
    ("e-wallet", "ewallet"),
    ("ewallet", "ewallet"),
    ("wallet", "ewallet"),
    ("dompet", "ewallet"),
    ("bukan", "wrong"),
    ("cara", "how"),
    ("caranya", "how"),
    ("deadline", "deadline"),
    ("jam", "hour"),
    ("pm", "hour"),
    ("sore", "hour"),
    ("afternoon", "hour"),
    ("evening", "hour"),
    ("malam", "hour"),
    ("wib", "hour"),
    ("cut-off", "hour"),
    ("cutoff", "hour"),
    ("cuci", "wash"),
    ("wash", "wash"),
    ("dishwasher", "dishwasher"),
    ("sampai", "arrive"),
    ("arrive", "arrive"),
    ("arrived", "arrive"),
    ("reach", "arrive"),
    ("datang", "arrive"),
    ("tiba", "arrive"),
    ("terima", "receive"),
    ("receive", "receive"),
    ("received", "receive"),
    ("nomor", "number"),
    ("number", "number"),
    ("telepon", "phone"),
    ("phone", "phone"),
    ("simpan", "save"),
    ("save", "save"),
    ("postage", "shipcost"),
    ("ongkos", "cost"),
    ("land", "arrive"),
    ("lands", "arrive"),
    ("small", "size"),
    ("smaller", "size"),
    ("medium", "size"),
    ("xl", "size"),
    ("xs", "size"),
    ("kecil", "size"),
    ("dent", "damaged"),
    ("dented", "damaged"),
    ("smashed", "damaged"),
    ("street", "address"),
    ("postcode", "address"),
    ("zip", "address"),
    ("zipcode", "address"),
    ("typo", "wrong"),
    ("mistake", "wrong"),
    ("red", "colour"),
    ("blue", "colour"),
    ("green", "colour"),
    ("black", "colour"),
    ("white", "colour"),
    ("grey", "colour"),
    ("gray", "colour"),
    ("pink", "colour"),
    ("merah", "colour"),
    ("biru", "colour"),
    ("hijau", "colour"),
    ("hitam", "colour"),
    ("putih", "colour"),
    ("abu", "colour"),
    ("cash", "cod"),
    ("tunai", "cod"),
    ("cod", "cod"),
    ("company", "business"),
    ("companies", "business"),
    ("business", "business"),
    ("businesses", "business"),
    ("corporate", "business"),
    ("office", "business"),
    ("perusahaan", "business"),
    ("kantor", "business"),
    ("bisnis", "business"),
    ("cafe", "business"),
    ("kafe", "business"),
    ("restaurant", "business"),
    ("restoran", "business"),
    ("resto", "business"),
    ("hotel", "business"),
    ("warung", "business"),
    ("kedai", "business"),
    ("catering", "business"),
    ("katering", "business"),
    ("school", "business"),
    ("sekolah", "business"),
    ("courier", "courier"),
    ("kurir", "courier"),
    ("jne", "courier"),
    ("sicepat", "courier"),
    ("dhl", "courier"),
    ("jnt", "courier"),
    ("anteraja", "courier"),
    ("gosend", "courier"),
    ("canada", "othercountry"),
    ("japan", "othercountry"),
    ("jepang", "othercountry"),
    ("china", "othercountry"),
    ("cina", "othercountry"),
    ("tiongkok", "othercountry"),
    ("korea", "othercountry"),
    ("india", "othercountry"),
    ("uk", "othercountry"),
    ("england", "othercountry"),
    ("inggris", "othercountry"),
    ("germany", "othercountry"),
    ("jerman", "othercountry"),
    ("france", "othercountry"),
    ("perancis", "othercountry"),
    ("netherlands", "othercountry"),
    ("belanda", "othercountry"),
    ("taiwan", "othercountry"),
    ("dubai", "othercountry"),
    ("uae", "othercountry"),
    ("qatar", "othercountry"),
    ("usa", "othercountry"),
    ("europe", "othercountry"),
    ("zealand", "othercountry"),
    ("hongkong", "othercountry"),
    ("timor", "othercountry"),
    ("italy", "othercountry"),
    ("spain", "othercountry"),
    ("russia", "othercountry"),
    ("brazil", "othercountry"),
    ("mexico", "othercountry"),
    ("africa", "othercountry"),
    ("add", "add"),
    ("tambah", "add"),
    ("another", "add"),
    ("fix", "repair"),
    ("noise", "faulty"),
    ("noisy", "faulty"),
    ("bunyi", "faulty"),
    ("socket", "plug"),
    ("outlet", "plug"),
    ("adapter", "plug"),
    ("adaptor", "plug"),
    ("chipped", "damaged"),
    ("snapped", "damaged"),
    ("snap", "damaged"),
    ("chip", "damaged"),
    ("limit", "limit"),
    ("maximum", "limit"),
    ("max", "limit"),
    ("maksimal", "limit"),
];

/// Cities customers name, and the island, region or country an article speaks of.
const PLACES: &[(&str, &str)] = &[
    ("jakarta", "java"),
    ("surabaya", "java"),
    ("bandung", "java"),
    ("semarang", "java"),
    ("yogyakarta", "java"),
    ("malang", "java"),
    ("solo", "java"),
    ("surakarta", "java"),
    ("bekasi", "java"),
    ("bogor", "java"),
    ("depok", "java"),
    ("tangerang", "java"),
    ("cirebon", "java"),
    ("jawa", "java"),
    ("denpasar", "bali"),
    ("ubud", "bali"),
    ("kuta", "bali"),
    ("medan", "sumatra"),
    ("palembang", "sumatra"),
    ("padang", "sumatra"),
    ("pekanbaru", "sumatra"),
    ("lampung", "sumatra"),
    ("aceh", "sumatra"),
    ("sumatera", "sumatra"),
    ("makassar", "sulawesi"),
    ("manado", "sulawesi"),
    ("balikpapan", "kalimantan"),
    ("pontianak", "kalimantan"),
    ("banjarmasin", "kalimantan"),
    ("samarinda", "kalimantan"),
    ("borneo", "kalimantan"),
    ("jayapura", "papua"),
    ("ambon", "maluku"),
    ("kupang", "nusa"),
    ("mataram", "nusa"),
    ("lombok", "nusa"),
    ("kualalumpur", "malaysia"),
    ("penang", "malaysia"),
    ("bangkok", "thailand"),
    ("manila", "philippines"),
    ("hanoi", "vietnam"),
    ("saigon", "vietnam"),
    ("hochiminh", "vietnam"),
    ("sydney", "australia"),
    ("melbourne", "australia"),
    ("perth", "australia"),
    ("brisbane", "australia"),
    ("adelaide", "australia"),
];

/// Indonesian words the stemmer must leave alone (they merely look affixed).
const ID_KEEP: &[&str] = &[
    "kirim",
    "kembali",
    "pesan",
    "pesanan",
    "barang",
    "bayar",
    "harga",
    "hari",
    "kartu",
    "bahan",
    "ukuran",
    "tukar",
    "lama",
    "garansi",
    "negara",
    "dan",
    "ikan",
    "jalan",
    "akan",
    "bulan",
    "teman",
    "kardus",
    "tarif",
    "tegangan",
    "colokan",
    "pengiriman",
    "mesin",
    "minta",
    "langganan",
    "kurang",
    "baterai",
    "bukan",
    "daftar",
    "kunci",
    "ganti",
    "beli",
    "kilat",
    "tamu",
    "resi",
    "lacak",
    "kado",
    "diskon",
    "kemasan",
    "kuitansi",
    "pajak",
    "tanpa",
    "potongan",
    "jakarta",
    "papua",
    "bali",
    "semarang",
    "padang",
    "medan",
    "bandung",
    "malang",
    "australia",
    "singapura",
    "malaysia",
    "filipina",
    "penang",
    "tangerang",
    "kalimantan",
    "ditolak",
    "promosi",
    "kemarin",
    "selamat",
];

/// Affixed words whose root the rules cannot tell (meN- before k/t/p/s drops the letter).
const ID_ROOTS: &[(&str, &str)] = &[
    ("mengembalikan", "kembali"),
    ("pengembalian", "kembali"),
    ("dikembalikan", "kembali"),
    ("kembalikan", "kembali"),
    ("dikembaliin", "kembali"),
    ("mengirim", "kirim"),
    ("mengirimkan", "kirim"),
    ("pengiriman", "kirim"),
    ("kiriman", "kirim"),
    ("menukar", "tukar"),
    ("menukarkan", "tukar"),
    ("penukaran", "tukar"),
    ("pembayaran", "bayar"),
    ("membayar", "bayar"),
    ("dibayar", "bayar"),
    ("pembelian", "beli"),
    ("membeli", "beli"),
    ("dibeli", "beli"),
    ("pemesanan", "pesan"),
    ("memesan", "pesan"),
    ("dipesan", "pesan"),
    ("pesanan", "pesan"),
    ("dipakai", "pakai"),
    ("memakai", "pakai"),
    ("pemakaian", "pakai"),
    ("membatalkan", "batal"),
    ("pembatalan", "batal"),
    ("dibatalkan", "batal"),
    ("menghapus", "hapus"),
    ("dihapus", "hapus"),
    ("penghapusan", "hapus"),
    ("mengganti", "ganti"),
    ("diganti", "ganti"),
    ("penggantian", "ganti"),
    ("pengganti", "ganti"),
    ("mengubah", "ubah"),
    ("diubah", "ubah"),
    ("perubahan", "ubah"),
    ("melacak", "lacak"),
    ("pelacakan", "lacak"),
    ("menerima", "terima"),
    ("diterima", "terima"),
    ("penerima", "terima"),
    ("terkunci", "kunci"),
    ("dikunci", "kunci"),
    ("mengunci", "kunci"),
    ("pendaftaran", "daftar"),
    ("mendaftar", "daftar"),
    ("berlangganan", "langganan"),
    ("mengajukan", "aju"),
    ("pengajuan", "aju"),
    ("metode", "metode"),
    ("ketel", "ketel"),
    ("dikirim", "kirim"),
    ("dikirimkan", "kirim"),
    ("mencuci", "cuci"),
    ("dicuci", "cuci"),
    ("perawatan", "rawat"),
    ("dikembalikannya", "kembali"),
    ("pengembaliannya", "kembali"),
];

fn lookup<'a>(table: &'a [(&str, &str)], word: &str) -> Option<&'a str> {
    table.iter().find(|(key, _)| *key == word).map(|(_, v)| *v)
}

/// Lower-case words, apostrophes dropped ("didn't" → "didnt"), everything else a separator.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['\u{2019}', '\''], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// [`PHRASES`] as space-delimited needles and replacements.
static PHRASE_NEEDLES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    PHRASES
        .iter()
        .map(|(phrase, replacement)| (format!(" {phrase} "), format!(" {replacement} ")))
        .collect()
});

/// [`STOPWORDS`] for constant-time look-up.
static STOPWORD_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| STOPWORDS.iter().copied().collect());

/// True for a word too common to carry meaning ("have", "the", "yang").
pub fn is_stop_word(word: &str) -> bool {
    STOPWORD_SET.contains(word)
}

/// Words with abbreviations expanded and phrases joined, before stop words are dropped.
pub fn normalised_words(text: &str) -> Vec<String> {
    let mut expanded: Vec<String> = Vec::new();
    for word in words(text) {
        // "-nya" ("the", "its") adds nothing: "ongkirnya" is "ongkir".
        let word = match word.strip_suffix("nya") {
            Some(root) if root.chars().count() >= 3 && word.is_ascii() => root.to_owned(),
            _ => word,
        };
        match lookup(SLANG, &word) {
            Some(replacement) => expanded.extend(replacement.split(' ').map(str::to_owned)),
            None => expanded.push(word),
        }
    }
    let mut joined = format!(" {} ", expanded.join(" "));
    for (needle, with) in PHRASE_NEEDLES.iter() {
        // One pass left to right; the replacement is never searched again.
        let mut from = 0;
        while let Some(found) = joined[from..].find(needle.as_str()) {
            let at = from + found;
            joined.replace_range(at..at + needle.len(), with);
            from = at + with.len() - 1;
        }
    }
    money_back(stopped_doing(arrived_without(part_of_a_whole(
        joined.split_whitespace().map(str::to_owned).collect(),
    ))))
}

/// A parcel that "came without the charger" or "datang tanpa kabel" is missing something:
/// the "without" right after a word of arrival becomes the concept word "missing" (ordering
/// "without an account" stays a guest checkout).
fn arrived_without(mut words: Vec<String>) -> Vec<String> {
    const ARRIVED: &[&str] = &[
        "came",
        "come",
        "comes",
        "arrived",
        "arrives",
        "delivered",
        "shipped",
        "sent",
        "datang",
        "sampai",
        "sampe",
        "tiba",
        "dikirim",
        "diterima",
    ];
    for i in 1..words.len() {
        if matches!(words[i].as_str(), "without" | "tanpa")
            && ARRIVED.contains(&words[i - 1].as_str())
        {
            words[i] = "missing".to_owned();
        }
    }
    words
}

/// Money and its return in one message, in any order and with any words between ("uang saya
/// kapan dikembalikan", "when does the money come back"), ask about a refund: the money word
/// becomes the concept word "refund".
fn money_back(mut words: Vec<String>) -> Vec<String> {
    const MONEY: &[&str] = &["uang", "duit", "dana", "money"];
    // "Kembali" in any of its forms ("dikembalikan", "dikembaliin"), as the stemmer reads it.
    let back = |w: &String| {
        matches!(w.as_str(), "balik" | "back" | "returned") || stem_indonesian(w) == "kembali"
    };
    if words.iter().any(back) {
        for word in words.iter_mut().filter(|w| MONEY.contains(&w.as_str())) {
            *word = "refund".to_owned();
        }
    }
    words
}

/// Something that "stopped working", "stops charging" or "quit spinning" is faulty, whatever
/// it stopped doing: the pair becomes the concept word "faulty".
fn stopped_doing(words: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let doing = words
            .get(i + 1)
            .is_some_and(|w| w.len() > 4 && w.ends_with("ing"));
        if doing && matches!(words[i].as_str(), "stopped" | "stops" | "quit") {
            out.push("faulty".to_owned());
            i += 2;
        } else {
            out.push(words[i].clone());
            i += 1;
        }
    }
    out
}

/// A count out of a larger count ("2 of the 3 things", "1 out of 2", "3 dari 4 barang") says
/// that part of something is missing: the span becomes the concept word "missing".
fn part_of_a_whole(words: Vec<String>) -> Vec<String> {
    fn count(word: &str) -> Option<u32> {
        word.parse().ok().or_else(|| named_number(word))
    }
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let part = count(&words[i]);
        let mut j = i + 1;
        let linked = match words.get(j).map(String::as_str) {
            Some("of" | "dari") => {
                j += 1;
                true
            }
            Some("out") if words.get(j + 1).is_some_and(|w| w == "of") => {
                j += 2;
                true
            }
            _ => false,
        };
        if let (Some(part), true) = (part, linked) {
            if matches!(words.get(j).map(String::as_str), Some("the" | "my")) {
                j += 1;
            }
            if words
                .get(j)
                .and_then(|w| count(w))
                .is_some_and(|whole| whole > part)
            {
                out.push("missing".to_owned());
                i = j + 1;
                continue;
            }
        }
        out.push(words[i].clone());
        i += 1;
    }
    out
}

/// One to ten in words, English and Indonesian.
const NUMBER_WORDS: [&[&str]; 2] = [
    &[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ],
    &[
        "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
    ],
];

/// The number a word names ("three", "tiga" → 3).
fn named_number(word: &str) -> Option<u32> {
    NUMBER_WORDS
        .iter()
        .find_map(|list| list.iter().position(|n| *n == word))
        .map(|i| i as u32 + 1)
}

/// A light English stemmer: enough that "refunds", "refunded" and "refunding" meet.
fn stem_english(word: &str) -> String {
    if let Some(root) = word.strip_suffix("ies") {
        if root.chars().count() >= 3 {
            return format!("{root}y");
        }
    }
    for suffix in ["ing", "ed", "es", "s", "e"] {
        if let Some(root) = word.strip_suffix(suffix) {
            if root.chars().count() >= 3 && !word.ends_with("ss") && !word.ends_with("us") {
                return undoubled(root, suffix);
            }
        }
    }
    word.to_owned()
}

/// "wrapping" and "wrapped" meet "wrap", "stopped" meets "stop": a consonant doubled before
/// "-ing" or "-ed" is single in the root ("billing" keeps its "ll": "bill").
fn undoubled(root: &str, suffix: &str) -> String {
    let bytes = root.as_bytes();
    let n = bytes.len();
    if matches!(suffix, "ing" | "ed")
        && n >= 4
        && bytes[n - 1] == bytes[n - 2]
        && b"bdgmnprt".contains(&bytes[n - 1])
    {
        root[..n - 1].to_owned()
    } else {
        root.to_owned()
    }
}

/// Strips Indonesian particles, possessives, suffixes and prefixes (a light form of the
/// Nazief–Adriani rules): "dikirimkan" → "kirim", "pengirimannya" → "kirim",
/// "membatalkan" → "batal".
pub fn stem_indonesian(word: &str) -> String {
    if ID_KEEP.contains(&word) || word.chars().count() < 5 || !word.is_ascii() {
        return word.to_owned();
    }
    if let Some(root) = lookup(ID_ROOTS, word) {
        return root.to_owned();
    }
    let mut w = word.to_owned();
    for particle in ["lah", "kah", "pun", "nya", "ku", "mu"] {
        if w.len() > particle.len() + 3 {
            if let Some(root) = w.strip_suffix(particle) {
                w = root.to_owned();
                break;
            }
        }
    }
    let prefixed = |w: &str| {
        ["me", "di", "ber", "ter", "pe", "ke", "se"]
            .iter()
            .any(|p| w.starts_with(p))
    };
    if prefixed(&w) {
        for suffix in ["kan", "an"] {
            if w.len() > suffix.len() + 4 {
                if let Some(root) = w.strip_suffix(suffix) {
                    w = root.to_owned();
                    break;
                }
            }
        }
    } else if w.len() > 6 {
        if let Some(root) = w.strip_suffix("kan") {
            w = root.to_owned();
        }
    }
    if ID_KEEP.contains(&w.as_str()) {
        return w;
    }
    // Prefixes, with the nasal assimilation of meN-/peN-: "menghapus" → "hapus",
    // "mengirim" → "kirim", "membayar" → "bayar", "penukaran" → "tukar".
    let rules: &[(&str, &str)] = &[
        ("menye", "sa"),
        ("meny", "s"),
        ("mengk", "k"),
        ("meng", ""),
        ("mem", ""),
        ("men", ""),
        ("me", ""),
        ("penye", "sa"),
        ("peny", "s"),
        ("peng", ""),
        ("pem", ""),
        ("pen", ""),
        ("pe", ""),
        ("ber", ""),
        ("ter", ""),
        ("di", ""),
        ("ke", ""),
        ("se", ""),
    ];
    for (prefix, replacement) in rules {
        if let Some(root) = w.strip_prefix(prefix) {
            if root.len() >= 4 && (prefix.len() > 2 || root.len() >= 5) {
                let candidate = format!("{replacement}{root}");
                w = match (*prefix, candidate.as_str()) {
                    // "mengirim" is meng- + kirim; "menukar" is meN- + tukar.
                    ("meng", c) | ("peng", c) if c.starts_with("irim") => format!("k{c}"),
                    ("men", c) | ("pen", c) if c.starts_with("ukar") => format!("t{c}"),
                    ("mem", c) | ("pem", c) if c.starts_with("bayar") || c.starts_with("beli") => {
                        c.to_owned()
                    }
                    _ => candidate,
                };
                break;
            }
        }
    }
    // A second suffix after the prefix came off ("pengembalian" → "kembali").
    if w.len() > 6 {
        if let Some(root) = w.strip_suffix("an") {
            if !ID_KEEP.contains(&w.as_str()) {
                w = root.to_owned();
            }
        }
    }
    w
}

/// The analysed terms of `text`: what retrieval compares.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in normalised_words(text) {
        if STOPWORD_SET.contains(word.as_str()) || is_catalogue(&word) {
            continue;
        }
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            // "220v", "240v": a voltage; other numbers (amounts, counts, order numbers) say
            // nothing about the topic.
            if word.ends_with('v') && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit()) {
                out.push("voltage".to_owned());
            }
            continue;
        }
        // A count in words says no more about the topic than one in digits ("ada satu
        // barang yang kurang").
        if named_number(&word).is_some() {
            continue;
        }
        let term = concept(&word);
        if let Some(place) = lookup(PLACES, &term) {
            out.push(place.to_owned());
        }
        out.push(term);
    }
    out
}

/// Concepts by word, by the word's English stem and by its Indonesian stem.
static CONCEPT_INDEX: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut index = HashMap::new();
    for (key, concept) in CONCEPTS {
        index.insert((*key).to_owned(), *concept);
    }
    for (_, concept) in CONCEPTS {
        index.entry((*concept).to_owned()).or_insert(*concept);
        index.entry(stem_english(concept)).or_insert(*concept);
    }
    for (key, concept) in CONCEPTS {
        index.entry(stem_english(key)).or_insert(*concept);
        index.entry(stem_indonesian(key)).or_insert(*concept);
    }
    index
});

/// What the shop sells, by kind, in both languages: naming one says nothing about which
/// article answers ("my toaster won't turn on" is about a fault), so these words are left
/// out of the terms, neither matching nor lowering the confidence. Things the shop does not
/// sell (phones, furniture, tyres) are absent, so they stay salient and lower it.
const CATALOGUE: &[&str] = &[
    "lamp",
    "lampu",
    "kettle",
    "ketel",
    "teko",
    "blender",
    "pan",
    "wajan",
    "panci",
    "pot",
    "mug",
    "cangkir",
    "gelas",
    "glass",
    "plate",
    "piring",
    "bowl",
    "mangkuk",
    "mangkok",
    "cookware",
    "blanket",
    "selimut",
    "towel",
    "handuk",
    "sheet",
    "sprei",
    "pillow",
    "bantal",
    "textile",
    "shaver",
    "cukuran",
    "toothbrush",
    "sikat",
    "charger",
    "headphone",
    "headphones",
    "earbuds",
    "speaker",
    "fan",
    "kipas",
    "rice cooker",
    "ricecooker",
    "magic com",
    "toaster",
    "iron",
    "setrika",
    "vase",
    "vas",
    "candle",
    "lilin",
    "curtain",
    "table",
    "meja",
    "chair",
    "kursi",
    "sofa",
    "mirror",
    "cermin",
    "shelf",
    "rak",
    "rug",
    "karpet",
    "gorden",
    // What things are made of: "the linen sheets", "a ceramic mug" name the thing, not the topic.
    "linen",
    "cotton",
    "katun",
    "ceramic",
    "keramik",
    "porcelain",
    "wool",
    "bamboo",
    "bambu",
    "rattan",
    "rotan",
    "stainless",
    "wooden",
    "kayu",
    "tumbler",
    "bottle",
    "botol",
    "appliance",
    "electronics",
    "elektronik",
    "gadget",
    "device",
    "alat",
];

/// True for a kind of product the shop sells, in any word form ("kettles", "lampu").
fn is_catalogue(word: &str) -> bool {
    CATALOGUE_SET.contains(word) || CATALOGUE_SET.contains(stem_english(word).as_str())
}

static CATALOGUE_SET: LazyLock<HashSet<String>> = LazyLock::new(|| {
    CATALOGUE
        .iter()
        .flat_map(|w| [(*w).to_owned(), stem_english(w)])
        .collect()
});

/// The concept of one normalised word: a synonym's concept, else its stem's.
fn concept(word: &str) -> String {
    if let Some(c) = CONCEPT_INDEX.get(word) {
        return (*c).to_owned();
    }
    let indonesian = stem_indonesian(word);
    if let Some(c) = CONCEPT_INDEX.get(&indonesian) {
        return (*c).to_owned();
    }
    let english = stem_english(word);
    if let Some(c) = CONCEPT_INDEX.get(&english) {
        return (*c).to_owned();
    }
    if indonesian != word {
        indonesian
    } else {
        english
    }
}

/// Words that say a text is Indonesian rather than English (function words and chat
/// Indonesian that English never uses).
const INDONESIAN_MARKERS: &[&str] = &[
    "yang",
    "dan",
    "di",
    "ke",
    "dari",
    "ini",
    "itu",
    "saya",
    "aku",
    "apa",
    "bagaimana",
    "bisa",
    "tolong",
    "mau",
    "ada",
    "dong",
    "deh",
    "sih",
    "nih",
    "ya",
    "kok",
    "kak",
    "min",
    "tidak",
    "sudah",
    "belum",
    "untuk",
    "dengan",
    "atau",
    "juga",
    "saja",
    "lagi",
    "sama",
    "apakah",
    "kalau",
    "kenapa",
    "berapa",
    "kapan",
    "where",
    "masih",
    "tapi",
    "banget",
    "harus",
    "akan",
    "dalam",
    "pada",
    "minta",
    "cara",
    "caranya",
    "lama",
    "hari",
    "kirim",
    "barang",
    "pesanan",
    "pakai",
    "bayar",
    "sampai",
    "paket",
    "akun",
    "gratis",
    "buat",
    "beli",
    "lupa",
    "hapus",
    "ganti",
    "ubah",
    "tukar",
    "rusak",
    "salah",
    "kurang",
    "hilang",
    "kembalikan",
    "retur",
    "garansi",
    "ukuran",
    "warna",
    "kasih",
    "terima",
    "makasih",
    "halo",
    "pagi",
    "siang",
    "sore",
    "malam",
    "kami",
    "kamu",
    "anda",
    "dia",
    "gimana",
    "udah",
    "gak",
    "nggak",
    "ga",
    "aja",
    "mana",
    "adakah",
    "bisakah",
    "mohon",
    "terkunci",
    "datang",
    "ongkir",
    "dikirim",
    "pengiriman",
    "uang",
    "berhenti",
    "langganan",
    "bahan",
    "lengkap",
    "habis",
    "kapan",
    "pesan",
    "sampe",
    "nyampe",
    "sy",
    "brp",
    "gmn",
    "yg",
    "blm",
    "udh",
    "tdk",
    "gk",
    "dmn",
    "dimana",
    "mas",
    "mbak",
    "pak",
    "bu",
    "kakak",
    "oke",
    "siap",
    "mantap",
    "iya",
    "jadi",
    "lah",
    "kah",
    "nya",
];

/// English function words, the counterweight to [`INDONESIAN_MARKERS`].
const ENGLISH_MARKERS: &[&str] = &[
    "the", "is", "are", "my", "how", "do", "does", "what", "can", "i", "you", "to", "a", "will",
    "it", "of", "for", "with", "where", "when", "long", "your", "me", "have", "has", "did",
    "didnt", "dont", "cant", "not", "no", "yes", "please", "pls", "want", "need", "get", "got",
    "why", "there", "this", "that", "an", "and", "or", "be", "been", "was", "still", "any",
    "which", "who", "thanks", "thank", "order", "parcel", "hi", "hello", "would", "could",
    "should", "much", "many", "days", "from", "if", "on", "at", "im", "whats", "wheres", "ok",
    "okay", "great", "bye", "good", "morning", "sorry", "one", "all",
];

/// The language a customer wrote in, as far as the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Indonesian,
}

impl Language {
    /// The code used in the evaluation sets: `en` or `id`.
    pub fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Indonesian => "id",
        }
    }
}

/// Guesses the language of `text` from function words and Indonesian word shapes; English
/// when nothing tells.
pub fn language(text: &str) -> Language {
    let mut indonesian = 0i32;
    let mut english = 0i32;
    for word in words(text) {
        if INDONESIAN_MARKERS.contains(&word.as_str()) {
            indonesian += 2;
        } else if ENGLISH_MARKERS.contains(&word.as_str()) {
            english += 2;
        } else if word.len() > 5
            && (word.ends_with("nya")
                || word.ends_with("kan")
                || word.starts_with("di") && word.ends_with('i')
                || word.starts_with("meng")
                || word.starts_with("peng")
                || word.starts_with("ber") && word.ends_with("an"))
        {
            indonesian += 1;
        }
    }
    if indonesian > english {
        Language::Indonesian
    } else {
        Language::English
    }
}

/// Damerau–Levenshtein distance (optimal string alignment) of two short words, stopping
/// early once it exceeds `limit`.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut previous2: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(previous2[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut previous2, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The distinct terms of `text`.
pub fn term_set(text: &str) -> HashSet<String> {
    terms(text).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_indonesian_and_formal_indonesian_meet_the_same_concepts() {
        assert_eq!(
            terms("brp lama kirim ke sby?"),
            vec!["long", "ship", "java", "surabaya"]
        );
        assert_eq!(
            terms("Berapa lama pengiriman ke Surabaya"),
            vec!["long", "ship", "java", "surabaya"]
        );
    }

    #[test]
    fn english_and_indonesian_synonyms_become_one_concept() {
        assert_eq!(terms("delivery"), terms("pengiriman"));
        assert_eq!(terms("refunded"), terms("pengembalian dana"));
        assert_eq!(terms("paket"), terms("packages"));
        assert_eq!(terms("ongkir"), terms("shipping cost"));
    }

    #[test]
    fn a_part_out_of_a_whole_says_something_is_missing() {
        let set = |text: &str| terms(text).into_iter().collect::<HashSet<_>>();
        assert_eq!(
            set("only 2 of the 3 things came"),
            set("things missing came")
        );
        assert_eq!(terms("got one out of two"), terms("missing"));
        assert_eq!(
            set("cuma datang 2 dari 3 barang"),
            set("cuma datang barang kurang")
        );
        // A larger part, or no second count, is not a part of a whole.
        assert!(!terms("3 of 2").contains(&"missing".to_owned()));
        assert!(!terms("one of your lamps").contains(&"missing".to_owned()));
    }

    #[test]
    fn counts_in_words_carry_no_topic_like_counts_in_digits() {
        assert_eq!(
            terms("ada satu barang yang kurang"),
            terms("ada 1 barang yang kurang")
        );
        assert_eq!(terms("two lamps missing"), terms("missing"));
    }

    #[test]
    fn pieces_measurements_and_reselling_name_their_topics() {
        assert!(terms("the mirror arrived in pieces").contains(&"damaged".to_owned()));
        assert!(terms("measurements of the chair").contains(&"size".to_owned()));
        assert_eq!(
            terms("can i be a reseller"),
            terms("can i be a dropshipper")
        );
        // Furniture and rattan name the thing, not the topic.
        assert_eq!(terms("ukuran mejanya berapa"), terms("ukurannya berapa"));
        assert_eq!(terms("size of the rattan chair"), terms("size"));
    }

    #[test]
    fn arriving_without_something_says_it_is_missing() {
        assert!(terms("box came without the charger").contains(&"missing".to_owned()));
        assert!(terms("paketnya datang tanpa kabel").contains(&"missing".to_owned()));
        // Ordering without an account is a guest checkout, not a missing item.
        assert!(!terms("can i order without an account").contains(&"missing".to_owned()));
    }

    #[test]
    fn what_the_parcel_did_not_hold_is_missing() {
        for message in [
            "the charger wasn't inside",
            "half my items are not there",
            "one item short in my order",
            "kabelnya gak ada di dalam",
        ] {
            assert!(terms(message).contains(&"missing".to_owned()), "{message}");
        }
        // A question about what the shop has is not.
        assert!(!terms("isn't there a faster option").contains(&"missing".to_owned()));
        assert!(!terms("is shipping not included in the price").contains(&"missing".to_owned()));
        // The whole parcel missing is lost.
        assert!(terms("my parcel went missing").contains(&"lost".to_owned()));
        assert!(!terms("my package is missing").contains(&"missing".to_owned()));
    }

    #[test]
    fn someone_elses_things_are_the_wrong_item_and_their_address_is_not() {
        assert!(terms("got someone elses order in my box").contains(&"item".to_owned()));
        assert!(!terms("send it to someone elses address").contains(&"item".to_owned()));
    }

    #[test]
    fn stopping_to_do_something_is_a_fault() {
        assert!(terms("the kettle stopped heating").contains(&"faulty".to_owned()));
        assert!(terms("fan stops spinning at night").contains(&"faulty".to_owned()));
        // Stopping the emails is no fault.
        assert!(!terms("stop sending me emails").contains(&"faulty".to_owned()));
    }

    #[test]
    fn money_coming_back_is_a_refund_in_any_word_order() {
        assert!(terms("uang saya kapan dikembalikan").contains(&"refund".to_owned()));
        assert!(terms("when does my money come back").contains(&"refund".to_owned()));
        assert!(terms("duitnya kapan dibalikin").contains(&"refund".to_owned()));
        assert!(terms("uang saya dikembaliin kapan").contains(&"refund".to_owned()));
        // Money alone is not a refund.
        assert!(!terms("how do i send the money").contains(&"refund".to_owned()));
    }

    #[test]
    fn what_a_thing_is_made_of_asks_for_its_material() {
        assert_eq!(
            terms("what is the towel made of"),
            vec!["material".to_owned()]
        );
        assert!(terms("when are the linen sheets coming back").contains(&"stock".to_owned()));
    }

    #[test]
    fn when_as_a_conjunction_carries_no_topic() {
        assert_eq!(
            terms("barangnya rusak pas sampai"),
            terms("barangnya rusak sampai")
        );
        assert_eq!(
            terms("still no money for my return"),
            terms("refund return")
        );
    }

    #[test]
    fn indonesian_affixes_come_off() {
        assert_eq!(stem_indonesian("membatalkan"), "batal");
        assert_eq!(stem_indonesian("dibatalkan"), "batal");
        assert_eq!(stem_indonesian("mengirim"), "kirim");
        assert_eq!(stem_indonesian("menghapus"), "hapus");
        assert_eq!(stem_indonesian("dikembalikan"), "kembali");
        assert_eq!(stem_indonesian("pengembalian"), "kembali");
    }

    #[test]
    fn english_word_forms_meet() {
        assert_eq!(terms("Refunds refunded refunding"), vec!["refund"; 3]);
    }

    #[test]
    fn a_city_also_names_its_island() {
        assert!(terms("medan").contains(&"sumatra".to_owned()));
        assert!(terms("sydney").contains(&"australia".to_owned()));
    }

    #[test]
    fn the_language_is_told_from_function_words() {
        assert_eq!(language("brp lama kirim ke sby?"), Language::Indonesian);
        assert_eq!(
            language("paket saya udah sampai mana"),
            Language::Indonesian
        );
        assert_eq!(language("where is my order"), Language::English);
        assert_eq!(language("how long to ship to bali"), Language::English);
        assert_eq!(language(""), Language::English);
    }

    #[test]
    fn edit_distance_counts_typos_and_transpositions() {
        assert_eq!(edit_distance("adress", "address", 2), 1);
        assert_eq!(edit_distance("agnet", "agent", 2), 1);
        assert_eq!(edit_distance("refund", "parcel", 2), 3);
    }
}
