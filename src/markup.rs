//! Escaping shared by every writer of HTML and Markdown (the comparison page and table, the
//! walkthrough page and document): one place decides what text from a pattern file may become.

/// Text for HTML element content and double- or single-quoted attributes.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The `<meta>` element that sets a page's Content-Security-Policy: nothing loads from anywhere
/// (the pages are self-contained), and the only scripts that run are the inline ones given here,
/// allowed by their SHA-256, so a `<script>` or `onerror=` that a pattern's text smuggled past the
/// escaping still cannot run. Inline styles stay allowed: the embedded SVG diagrams carry their own
/// `<style>` and `style=` attributes, and a style cannot run code.
pub fn content_security_policy(scripts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let script_src = if scripts.is_empty() {
        "'none'".to_string()
    } else {
        scripts
            .iter()
            .map(|s| format!("'sha256-{}'", base64(&Sha256::digest(s.as_bytes()))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src {script_src}; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'\">"
    )
}

/// Standard base64 with padding, for CSP hashes.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Text for a double-quoted XML attribute that keeps its line breaks (draw.io labels): a raw
/// newline in an attribute reads back as a space, so it becomes `&#10;`; control characters
/// that XML 1.0 cannot hold at all are left out.
pub fn xml_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Pattern prose as HTML: escaped, with Markdown-style `code spans` as `<code>`. An unpaired
/// backtick stays a backtick.
pub fn html_prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let mut out = String::with_capacity(text.len());
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        if i % 2 == 1 && (paired || !last) {
            out.push_str("<code>");
            out.push_str(&html(part));
            out.push_str("</code>");
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            out.push_str(&html(part));
        }
    }
    out
}

/// Pattern text in Markdown: `&`, `<` and `>` become entities outside code spans, so text from a
/// pattern file can never open an HTML tag on GitHub, and `*` is escaped so paths such as
/// `/api/*` never start emphasis; inside backticks everything stays literal, as code spans show it.
pub fn markdown_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '&' if !in_code => out.push_str("&amp;"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '*' if !in_code => out.push_str(r"\*"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown table cell: pipes escaped, line breaks as `<br>`.
pub fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// Markdown inline code; a backtick inside becomes a quote, since it would end the span.
pub fn markdown_code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn the_policy_allows_exactly_the_given_scripts() {
        // The SHA-256 of `alert(1)`, as browsers compute it for an inline script.
        let csp = content_security_policy(&["alert(1)"]);
        assert!(
            csp.contains("script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=';"),
            "{csp}"
        );
        assert!(csp.contains("default-src 'none';"));
        assert!(content_security_policy(&[]).contains("script-src 'none';"));
    }

    use super::*;

    #[test]
    fn escapes_all_html_specials() {
        assert_eq!(
            html(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn xml_attributes_keep_line_breaks_and_drop_control_characters() {
        assert_eq!(
            xml_attr("a \"b\" <c> & 'd'\ne\u{7}\u{FFFF}"),
            "a &quot;b&quot; &lt;c&gt; &amp; 'd'&#10;e"
        );
    }

    #[test]
    fn code_spans_become_code_elements() {
        assert_eq!(
            html_prose("allow `s3:<Get>` & `x"),
            "allow <code>s3:&lt;Get&gt;</code> &amp; `x"
        );
    }

    #[test]
    fn markdown_prose_escapes_html_outside_code_spans() {
        assert_eq!(
            markdown_prose("a <b> & `<c>` /api/*\nnext"),
            r"a &lt;b&gt; &amp; `<c>` /api/\* next"
        );
    }

    #[test]
    fn markdown_cells_and_code_cannot_break_the_table() {
        assert_eq!(markdown_cell("a|b\nc"), r"a\|b<br>c");
        assert_eq!(markdown_code("x`y"), "`x'y`");
    }
}
