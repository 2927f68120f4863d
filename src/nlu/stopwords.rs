//! The curated stop-word list: words that carry no topic. Kept short on
//! purpose: generic lists drop words like "how", "long", "many", "not" and
//! "help" that tell topics apart here.

pub const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "anyone", "anything", "are", "as", "at", "be",
    "been", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "dont", "else", "for", "from", "get",
    "gets", "getting", "going", "got", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
    "i", "if", "im", "in", "into", "is", "it", "its", "ive", "just", "know", "let", "me", "mine", "my", "myself",
    "of", "on", "or", "our", "ours", "please", "really", "she", "so", "some", "someone", "something", "tell",
    "than", "that", "thats", "the", "their", "them", "then", "there", "these", "they", "theyre", "thing", "things",
    "this", "those", "to", "too", "u", "um", "us", "very", "was", "we", "were", "what", "whats", "when", "where",
    "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "you", "your", "youre", "yours",
    "bot", "liverline", "hey", "hi", "hello", "ok", "okay", "also", "one", "lot", "lots", "bit", "kind", "sort",
    "re", "s", "t", "d", "ll", "m", "ve", "pls", "plz", "thx", "ur", "r", "yes", "yeah", "well", "oh",
];
