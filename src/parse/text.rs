//! Text clean-up shared by the parser: white space, words and years.

/// The runs of letters and digits of `text` (punctuation and white space
/// between them dropped), as written: the words a title is matched and
/// searched by.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// Collapses every run of white space to one space and trims both ends.
pub fn normalize_ws(raw: &str) -> String {
    if is_normal(raw.as_bytes()) {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// True when `b` is ASCII with no white space but single inner spaces: most
/// fields are, and need no work.
fn is_normal(b: &[u8]) -> bool {
    let mut prev_space = true;
    for &c in b {
        match c {
            b' ' if prev_space => return false,
            b' ' => prev_space = true,
            b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x80.. => return false,
            _ => prev_space = false,
        }
    }
    !prev_space || b.is_empty()
}

/// The first run of exactly four digits in `s`: `1998 Dec-1999 Jan` → 1998.
pub fn first_year(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 {
                return s[start..i].parse().ok();
            }
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_collapses_and_trims() {
        assert_eq!(normalize_ws("  A\n   <b>  title\t"), "A <b> title");
        assert_eq!(normalize_ws("\n \n"), "");
        assert_eq!(normalize_ws("plain text"), "plain text");
        assert_eq!(normalize_ws("trailing "), "trailing");
        assert_eq!(normalize_ws(" leading"), "leading");
        assert_eq!(normalize_ws("two  spaces"), "two spaces");
        assert_eq!(normalize_ws("caf\u{e9}\u{a0} x"), "caf\u{e9} x");
        assert_eq!(normalize_ws(""), "");
    }

    #[test]
    fn year_is_the_first_four_digit_run() {
        assert_eq!(first_year("1998 Dec-1999 Jan"), Some(1998));
        assert_eq!(first_year("2022 Jan-Feb 01"), Some(2022));
        assert_eq!(first_year("Spring 12345 1980"), Some(1980));
        assert_eq!(first_year("undated"), None);
    }
}
