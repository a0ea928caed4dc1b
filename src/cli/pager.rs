//! The interactive walkthrough: one step per screen, n/→ next, p/← previous, a number and Enter
//! (or g) to jump, a to reveal the answer, ↑/↓ to scroll a long step, q to quit.
//!
//! The loop reads keys from any `Read` and draws to any `Write`, so it is tested with byte
//! buffers; only [`run_in_terminal`] touches the real terminal (raw mode, alternate screen, size).

use std::io::{self, Read, Write};

use crate::walkthrough::Walkthrough;

/// What a key press asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Next,
    Prev,
    /// Space: page down, or the next step at the bottom of one.
    Space,
    Digit(u8),
    Backspace,
    Enter,
    /// `g`: jump to the typed number, or to the first step.
    Go,
    Last,
    Answer,
    Up,
    Down,
    PageUp,
    PageDown,
    /// Escape on its own: forget a half-typed number.
    Cancel,
    Quit,
    Other,
}

/// Decodes terminal input bytes into keys, including the escape sequences of arrow keys.
pub struct Keys<R> {
    input: R,
    pending: Option<u8>,
}

impl<R: Read> Keys<R> {
    pub fn new(input: R) -> Self {
        Keys {
            input,
            pending: None,
        }
    }

    fn byte(&mut self) -> io::Result<Option<u8>> {
        if let Some(b) = self.pending.take() {
            return Ok(Some(b));
        }
        let mut buf = [0u8; 1];
        loop {
            match self.input.read(&mut buf) {
                Ok(0) => return Ok(None),
                Ok(_) => return Ok(Some(buf[0])),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next key, or `None` at the end of input.
    pub fn next_key(&mut self) -> io::Result<Option<Key>> {
        let Some(b) = self.byte()? else {
            return Ok(None);
        };
        Ok(Some(match b {
            b'q' | b'Q' | 0x03 | 0x04 => Key::Quit,
            b'n' | b'l' => Key::Next,
            b'p' | b'h' | b'b' => Key::Prev,
            b' ' => Key::Space,
            b'0'..=b'9' => Key::Digit(b - b'0'),
            0x7f | 0x08 => Key::Backspace,
            b'\r' | b'\n' => Key::Enter,
            b'g' => Key::Go,
            b'G' => Key::Last,
            b'a' => Key::Answer,
            b'j' => Key::Down,
            b'k' => Key::Up,
            0x1b => self.escape()?,
            _ => Key::Other,
        }))
    }

    fn escape(&mut self) -> io::Result<Key> {
        match self.byte()? {
            Some(b'[' | b'O') => {}
            Some(other) => {
                self.pending = Some(other);
                return Ok(Key::Cancel);
            }
            None => return Ok(Key::Cancel),
        }
        let mut params = Vec::new();
        loop {
            let Some(b) = self.byte()? else {
                return Ok(Key::Other);
            };
            if (0x40..=0x7e).contains(&b) {
                return Ok(match (b, params.as_slice()) {
                    (b'C', _) => Key::Next,
                    (b'D', _) => Key::Prev,
                    (b'A', _) => Key::Up,
                    (b'B', _) => Key::Down,
                    (b'H', _) | (b'~', b"1" | b"7") => Key::Go,
                    (b'F', _) | (b'~', b"4" | b"8") => Key::Last,
                    (b'~', b"5") => Key::PageUp,
                    (b'~', b"6") => Key::PageDown,
                    _ => Key::Other,
                });
            }
            params.push(b);
        }
    }
}

/// Where the reader is: which step, whether its answer is shown, how far it is scrolled, and a
/// step number being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    pub count: usize,
    pub current: usize,
    pub revealed: bool,
    pub scroll: usize,
    pub typed: String,
}

impl Pager {
    pub fn new(count: usize, start: usize) -> Pager {
        Pager {
            count,
            current: start.min(count.saturating_sub(1)),
            revealed: false,
            scroll: 0,
            typed: String::new(),
        }
    }

    fn go(&mut self, index: usize) {
        let index = index.min(self.count.saturating_sub(1));
        if index != self.current {
            self.current = index;
            self.revealed = false;
            self.scroll = 0;
        }
    }

    /// Applies a key; `lines` and `rows` (the page's length and the rows it may use) bound
    /// scrolling. Returns false when the reader quits.
    pub fn handle(&mut self, key: Key, lines: usize, rows: usize) -> bool {
        let max_scroll = lines.saturating_sub(rows);
        let typed = std::mem::take(&mut self.typed);
        match key {
            Key::Quit => return false,
            Key::Next => self.go(self.current + 1),
            Key::Prev => self.go(self.current.saturating_sub(1)),
            Key::Space if self.scroll < max_scroll => {
                self.scroll = (self.scroll + rows.max(1)).min(max_scroll)
            }
            Key::Space => self.go(self.current + 1),
            Key::Digit(d) => {
                self.typed = typed;
                if self.typed.len() < 4 {
                    self.typed.push(char::from(b'0' + d));
                }
            }
            Key::Backspace => {
                self.typed = typed;
                self.typed.pop();
            }
            Key::Enter | Key::Go => match typed.parse::<usize>() {
                Ok(n) if n >= 1 => self.go(n - 1),
                _ if key == Key::Go => self.go(0),
                _ => self.go(self.current + 1),
            },
            Key::Last => self.go(self.count.saturating_sub(1)),
            Key::Answer => self.revealed = !self.revealed,
            Key::Down => self.scroll = (self.scroll + 1).min(max_scroll),
            Key::Up => self.scroll = self.scroll.saturating_sub(1),
            Key::PageDown => self.scroll = (self.scroll + rows.max(1)).min(max_scroll),
            Key::PageUp => self.scroll = self.scroll.saturating_sub(rows.max(1)),
            Key::Cancel | Key::Other => {}
        }
        true
    }

    fn status(&self) -> String {
        let mut s = format!(
            " Step {}/{} · n/→ next · p/← previous · number+Enter or g: jump · a: answer",
            self.current + 1,
            self.count
        );
        s.push_str(" · ↑/↓ scroll · q: quit ");
        if !self.typed.is_empty() {
            s = format!(" go to step {}_ (Enter) ", self.typed);
        }
        s
    }
}

/// Runs the pager until `q` or the end of input, and returns the step it ended on (0-based).
/// `size` gives the screen's columns and rows, asked again for every frame so a resized terminal
/// is followed; `page` renders step `i` for a width, with or without its answer.
pub fn run<R: Read, W: Write>(
    input: R,
    mut output: W,
    count: usize,
    start: usize,
    colour: bool,
    mut size: impl FnMut() -> (usize, usize),
    mut page: impl FnMut(usize, bool, usize) -> String,
) -> io::Result<usize> {
    let mut keys = Keys::new(input);
    let mut pager = Pager::new(count, start);
    loop {
        let (columns, rows) = size();
        let width = columns.clamp(20, 100) - 1;
        let body_rows = rows.max(2) - 1;
        let text = page(pager.current, pager.revealed, width);
        let lines: Vec<&str> = text.lines().collect();
        pager.scroll = pager.scroll.min(lines.len().saturating_sub(body_rows));
        let mut frame = String::from("\x1b[H\x1b[2J");
        for line in lines.iter().skip(pager.scroll).take(body_rows) {
            frame.push_str(line);
            frame.push_str("\r\n");
        }
        for _ in lines.len().saturating_sub(pager.scroll)..body_rows {
            frame.push_str("\r\n");
        }
        let status: String = pager.status().chars().take(columns.max(1)).collect();
        if colour {
            frame.push_str(&format!("\x1b[7m{status}\x1b[0m"));
        } else {
            frame.push_str(&status);
        }
        output.write_all(frame.as_bytes())?;
        output.flush()?;

        let Some(key) = keys.next_key()? else {
            return Ok(pager.current);
        };
        if !pager.handle(key, lines.len(), body_rows) {
            return Ok(pager.current);
        }
    }
}

/// Puts the terminal back however the pager ends, including by an error or a panic.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        crossterm::terminal::enable_raw_mode()?;
        let guard = TerminalGuard;
        let mut out = io::stdout();
        out.write_all(b"\x1b[?1049h\x1b[?25l")?;
        out.flush()?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let mut out = io::stdout();
        let _ = out.write_all(b"\x1b[?25h\x1b[?1049l");
        let _ = out.flush();
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// The pager on the process's own terminal, from step `start` (0-based). Colour follows the
/// NO_COLOR convention.
pub(crate) fn run_in_terminal(walk: &Walkthrough, start: usize) -> io::Result<()> {
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _guard = TerminalGuard::enter()?;
    run(
        io::stdin().lock(),
        io::stdout().lock(),
        walk.steps(),
        start,
        colour,
        || {
            crossterm::terminal::size()
                .map(|(c, r)| (usize::from(c), usize::from(r)))
                .unwrap_or((80, 24))
        },
        |i, revealed, width| walk.page(i, colour, width, revealed),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(bytes: &[u8]) -> Vec<Key> {
        let mut k = Keys::new(bytes);
        std::iter::from_fn(|| k.next_key().unwrap()).collect()
    }

    #[test]
    fn decodes_letters_arrows_and_escape_sequences() {
        assert_eq!(
            keys(b"np\x1b[C\x1b[D\x1bOA\x1b[B\x1b[5~\x1b[6~\x1b[H\x1b[4~12\rgGa q\x03"),
            [
                Key::Next,
                Key::Prev,
                Key::Next,
                Key::Prev,
                Key::Up,
                Key::Down,
                Key::PageUp,
                Key::PageDown,
                Key::Go,
                Key::Last,
                Key::Digit(1),
                Key::Digit(2),
                Key::Enter,
                Key::Go,
                Key::Last,
                Key::Answer,
                Key::Space,
                Key::Quit,
                Key::Quit,
            ]
        );
        assert_eq!(
            keys(b"\x1bq"),
            [Key::Cancel, Key::Quit],
            "a lone escape keeps the next key"
        );
    }

    #[test]
    fn navigation_stays_in_range() {
        let mut p = Pager::new(5, 0);
        p.handle(Key::Prev, 10, 20);
        assert_eq!(p.current, 0);
        for _ in 0..9 {
            p.handle(Key::Next, 10, 20);
        }
        assert_eq!(p.current, 4);
        p.handle(Key::Go, 10, 20);
        assert_eq!(p.current, 0);
        p.handle(Key::Digit(3), 10, 20);
        assert_eq!(p.typed, "3");
        p.handle(Key::Enter, 10, 20);
        assert_eq!((p.current, p.typed.as_str()), (2, ""));
        p.handle(Key::Digit(9), 10, 20);
        p.handle(Key::Digit(9), 10, 20);
        p.handle(Key::Go, 10, 20);
        assert_eq!(p.current, 4, "a number past the end jumps to the last step");
        p.handle(Key::Digit(1), 10, 20);
        p.handle(Key::Cancel, 10, 20);
        p.handle(Key::Enter, 10, 20);
        assert_eq!(
            p.current, 4,
            "escape forgot the number; Enter alone moves on, at most to the end"
        );
        assert!(!p.handle(Key::Quit, 10, 20));
    }

    #[test]
    fn answer_and_scroll_reset_on_a_new_step() {
        let mut p = Pager::new(3, 1);
        p.handle(Key::Answer, 50, 20);
        p.handle(Key::Down, 50, 20);
        p.handle(Key::Space, 50, 20);
        assert_eq!((p.revealed, p.scroll), (true, 21));
        p.handle(Key::Space, 50, 20);
        assert_eq!(p.scroll, 30, "space stops at the bottom of the page");
        p.handle(Key::Space, 50, 20);
        assert_eq!((p.current, p.revealed, p.scroll), (2, false, 0));
    }

    #[test]
    fn run_draws_each_frame_and_follows_the_keys() {
        let mut out = Vec::new();
        let last = run(
            &b"n\x1b[Cpa3\rq"[..],
            &mut out,
            4,
            0,
            false,
            || (40, 6),
            |i, revealed, _| format!("page {}\nanswer {revealed}\n", i + 1),
        )
        .unwrap();
        assert_eq!(last, 2);
        let screen = String::from_utf8(out).unwrap();
        let frames: Vec<&str> = screen.split("\x1b[H\x1b[2J").skip(1).collect();
        let firsts: Vec<&str> = frames.iter().map(|f| &f[..6]).collect();
        assert_eq!(
            firsts,
            [
                "page 1", "page 2", "page 3", "page 2", "page 2", "page 2", "page 3"
            ]
        );
        assert!(frames[4].contains("answer true"));
        assert!(frames[5].contains("go to step 3_"));
        assert!(
            frames[0].contains("\r\n"),
            "raw mode needs carriage returns"
        );
        let rows: Vec<&str> = frames[0].split("\r\n").collect();
        assert_eq!(rows.len(), 6, "five rows of page and the status line");
        assert_eq!(
            rows[5].chars().count(),
            40,
            "the status line is cut to the width"
        );
        assert!(rows[5].starts_with(" Step 1/4 · n/→ next"));
    }

    #[test]
    fn end_of_input_ends_the_pager() {
        let last = run(
            &b"nn"[..],
            Vec::new(),
            5,
            1,
            true,
            || (80, 24),
            |_, _, _| String::new(),
        )
        .unwrap();
        assert_eq!(last, 3);
    }
}
