//! Finds where a field path (`market.segments[1].price_sensitivity`) sits in RON
//! source text, so that problems found after parsing still point at a line and
//! column. A small, tolerant reader of RON's shapes: `Name(field: v, …)`,
//! `(a, b)`, `[a, b]`, `{"k": v}`, strings, raw strings, chars, numbers,
//! identifiers, comments. It never fails: an unknown path resolves to the deepest
//! part that was found.

/// A 1-based line and column (ordered by line, then column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug)]
enum Kind {
    Fields(Vec<(String, Node)>),
    /// `[a, b]`, or `(a, b)` when `parenthesised` (tuples, `Some(x)`, `Variant(x)`).
    Items {
        items: Vec<Node>,
        parenthesised: bool,
    },
    Entries(Vec<(String, Node)>),
    Leaf,
}

#[derive(Debug)]
struct Node {
    pos: Position,
    /// Just after the value's last character.
    end: Position,
    kind: Kind,
}

/// Deepest nesting the reader follows (ron itself stops at 128). Deeper input
/// stops the reader: what was read so far is kept.
const MAX_DEPTH: usize = 256;

fn read_tree(source: &str) -> Option<Node> {
    let mut reader = Reader {
        chars: source.char_indices().peekable(),
        src: source,
        line: 1,
        column: 1,
        stopped: false,
    };
    reader.skip_trivia();
    reader.value(0)
}

/// The position of `path` in `source`, or of the deepest part of it that exists.
pub fn locate(source: &str, path: &str) -> Position {
    let Some(root) = read_tree(source) else {
        return Position { line: 1, column: 1 };
    };
    let mut node = &root;
    for segment in split_path(path) {
        match find_child(node, &segment) {
            Some(child) => node = child,
            None => break,
        }
    }
    node.pos
}

/// The field path (`market.segments[0].growth`) of the value at `at`, or of the
/// last value that ends before it inside the innermost value holding `at`: for a
/// syntax error, the field being read or the one just before the mistake (a
/// missing comma after `growth` names `growth`). Empty when `at` lies outside the
/// top-level value. One-item parenthesised wrappers (`Some(x)`) are transparent.
pub fn field_at(source: &str, at: Position) -> String {
    let Some(root) = read_tree(source) else {
        return String::new();
    };
    if at < root.pos || at > root.end {
        return String::new();
    }
    let mut path = String::new();
    let mut node = &root;
    loop {
        let (segment, child) = match &node.kind {
            Kind::Fields(children) | Kind::Entries(children) => {
                match children.iter().rev().find(|(_, c)| c.pos <= at) {
                    Some((name, child)) => (format!(".{name}"), child),
                    None => break,
                }
            }
            Kind::Items { items, parenthesised } => match items.iter().enumerate().rev().find(|(_, c)| c.pos <= at) {
                Some((_, child)) if *parenthesised && items.len() == 1 => (String::new(), child),
                Some((i, child)) => (format!("[{i}]"), child),
                None => break,
            },
            Kind::Leaf => break,
        };
        path += &segment;
        if at > child.end {
            break;
        }
        node = child;
    }
    path.trim_start_matches('.').to_string()
}

enum Segment {
    Name(String),
    Index(usize),
}

fn split_path(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Segment::Name(name.trim_matches('"').to_string()));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

fn find_child<'a>(node: &'a Node, segment: &Segment) -> Option<&'a Node> {
    match (&node.kind, segment) {
        (Kind::Fields(fields), Segment::Name(name)) | (Kind::Entries(fields), Segment::Name(name)) => {
            fields.iter().find(|(k, _)| k == name).map(|(_, v)| v)
        }
        (Kind::Items { items, .. }, Segment::Index(i)) => items.get(*i),
        // `Some(x)` and other one-item wrappers are transparent.
        (Kind::Items { items, .. }, Segment::Name(_)) if items.len() == 1 => find_child(&items[0], segment),
        _ => None,
    }
}

struct Reader<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    src: &'a str,
    line: usize,
    column: usize,
    /// Set when the nesting went past [`MAX_DEPTH`]: every loop then ends.
    stopped: bool,
}

impl Reader<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn offset(&mut self) -> usize {
        self.chars.peek().map_or(self.src.len(), |&(i, _)| i)
    }

    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn pos(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn skip_trivia(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('/') => {
                    let rest = &self.src[self.offset()..];
                    if rest.starts_with("//") {
                        while let Some(c) = self.bump() {
                            if c == '\n' {
                                break;
                            }
                        }
                    } else if rest.starts_with("/*") {
                        self.bump();
                        self.bump();
                        let mut depth = 1;
                        while depth > 0 {
                            let rest = &self.src[self.offset()..];
                            if rest.is_empty() {
                                return;
                            }
                            if rest.starts_with("*/") {
                                depth -= 1;
                                self.bump();
                            } else if rest.starts_with("/*") {
                                depth += 1;
                                self.bump();
                            }
                            self.bump();
                        }
                    } else {
                        return;
                    }
                }
                _ => return,
            }
        }
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c.is_alphanumeric() || c == '_' || c == '#' {
                s.push(c);
                self.bump();
            } else {
                break;
            }
        }
        s
    }

    fn string(&mut self) -> String {
        // At the opening quote.
        self.bump();
        let mut s = String::new();
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    if let Some(e) = self.bump() {
                        s.push(e);
                    }
                }
                '"' => break,
                c => s.push(c),
            }
        }
        s
    }

    fn raw_string(&mut self) {
        // At `r`.
        self.bump();
        let mut hashes = 0;
        while self.peek() == Some('#') {
            hashes += 1;
            self.bump();
        }
        if self.peek() != Some('"') {
            return;
        }
        self.bump();
        let closing = format!("\"{}", "#".repeat(hashes));
        loop {
            let rest = &self.src[self.offset()..];
            if rest.is_empty() {
                return;
            }
            if rest.starts_with(&closing) {
                for _ in 0..closing.len() {
                    self.bump();
                }
                return;
            }
            self.bump();
        }
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            self.stopped = true;
        }
        if self.stopped {
            return None;
        }
        self.skip_trivia();
        let pos = self.pos();
        let c = self.peek()?;
        let kind = match c {
            '(' => self.parens(depth),
            '[' => {
                self.bump();
                Kind::Items {
                    items: self.items(']', depth),
                    parenthesised: false,
                }
            }
            '{' => {
                self.bump();
                Kind::Entries(self.entries(depth))
            }
            '"' => {
                self.string();
                Kind::Leaf
            }
            '\'' => {
                self.bump();
                while let Some(c) = self.bump() {
                    if c == '\\' {
                        self.bump();
                    } else if c == '\'' {
                        break;
                    }
                }
                Kind::Leaf
            }
            'r' if matches!(self.src[self.offset()..].chars().nth(1), Some('"') | Some('#')) => {
                self.raw_string();
                Kind::Leaf
            }
            c if c.is_alphabetic() || c == '_' => {
                self.ident();
                self.skip_trivia();
                if self.peek() == Some('(') {
                    self.parens(depth)
                } else {
                    Kind::Leaf
                }
            }
            _ => {
                // A number or anything else: up to the next delimiter.
                while let Some(c) = self.peek() {
                    if matches!(c, ',' | ')' | ']' | '}' | ':') || c.is_whitespace() {
                        break;
                    }
                    self.bump();
                }
                Kind::Leaf
            }
        };
        // A value cut short by the depth limit runs on to the end of the text.
        let end = if self.stopped {
            Position {
                line: usize::MAX,
                column: usize::MAX,
            }
        } else {
            self.pos()
        };
        Some(Node { pos, end, kind })
    }

    /// At `(`: struct fields `(a: 1, …)` or tuple items `(1, 2)`.
    fn parens(&mut self, depth: usize) -> Kind {
        self.bump();
        self.skip_trivia();
        // Look ahead: `ident :` (but not `::`) means fields.
        let rest = &self.src[self.offset()..];
        let ident_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let after = rest[ident_len..].trim_start();
        let is_fields = ident_len > 0 && after.starts_with(':') && !after.starts_with("::");
        if !is_fields {
            return Kind::Items {
                items: self.items(')', depth),
                parenthesised: true,
            };
        }
        let mut fields = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                None => break,
                Some(')') => {
                    self.bump();
                    break;
                }
                _ => {}
            }
            let name = self.ident();
            if name.is_empty() {
                self.bump();
                continue;
            }
            self.skip_trivia();
            if self.peek() == Some(':') {
                self.bump();
            }
            match self.value(depth + 1) {
                Some(v) => fields.push((name, v)),
                None => break,
            }
            self.skip_trivia();
            if self.peek() == Some(',') {
                self.bump();
            }
        }
        Kind::Fields(fields)
    }

    fn items(&mut self, close: char, depth: usize) -> Vec<Node> {
        let mut items = Vec::new();
        loop {
            self.skip_trivia();
            match self.peek() {
                None => break,
                Some(c) if c == close => {
                    self.bump();
                    break;
                }
                _ => {}
            }
            match self.value(depth + 1) {
                Some(v) => items.push(v),
                None => break,
            }
            self.skip_trivia();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(c) if c == close => {}
                Some(_) => {
                    self.bump();
                }
                None => break,
            }
        }
        items
    }

    fn entries(&mut self, depth: usize) -> Vec<(String, Node)> {
        let mut entries = Vec::new();
        loop {
            self.skip_trivia();
            let key = match self.peek() {
                None => break,
                Some('}') => {
                    self.bump();
                    break;
                }
                Some('"') => self.string(),
                Some(_) => {
                    let key = self.ident();
                    if key.is_empty() {
                        self.bump();
                        continue;
                    }
                    key
                }
            };
            self.skip_trivia();
            if self.peek() == Some(':') {
                self.bump();
            }
            match self.value(depth + 1) {
                Some(v) => entries.push((key, v)),
                None => break,
            }
            self.skip_trivia();
            if self.peek() == Some(',') {
                self.bump();
            }
        }
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"// a comment
Scenario(
    version: 1,
    market: (
        segments: [
            (name: "a", price_sensitivity: 1.0),
            ( name: "b", /* inline */ price_sensitivity: -2.0 ),
        ],
    ),
    seed: Some(7),
    skus: { "flagship": (price: 1999) },
)
"#;

    #[test]
    fn finds_nested_fields() {
        assert_eq!(locate(SRC, "version"), Position { line: 3, column: 14 });
        assert_eq!(
            locate(SRC, "market.segments[1].price_sensitivity"),
            Position { line: 7, column: 58 }
        );
        assert_eq!(locate(SRC, "market.segments[1]"), Position { line: 7, column: 13 });
        assert_eq!(locate(SRC, "skus.flagship.price"), Position { line: 11, column: 33 });
        // Unknown parts resolve to the deepest known one.
        assert_eq!(locate(SRC, "market.nothing"), Position { line: 4, column: 13 });
        assert_eq!(locate("", "x"), Position { line: 1, column: 1 });
    }

    #[test]
    fn names_the_field_at_or_before_a_position() {
        let at = |line, column| field_at(SRC, Position { line, column });
        assert_eq!(at(3, 14), "version");
        assert_eq!(at(7, 60), "market.segments[1].price_sensitivity");
        // Between two fields: the one before.
        assert_eq!(at(6, 48), "market.segments[0].price_sensitivity");
        assert_eq!(at(10, 16), "seed");
        assert_eq!(at(11, 35), "skus.flagship.price");
        // Outside the top-level value.
        assert_eq!(at(1, 1), "");
        assert_eq!(at(13, 1), "");
        // A missing comma after `growth`.
        let src = "S(\n  a: (\n    growth: 0.01\n    bass_p: 0.02,\n  ),\n)\n";
        assert_eq!(field_at(src, Position { line: 4, column: 5 }), "a.growth");
    }

    #[test]
    fn deep_nesting_stops_the_reader() {
        let src = format!("S(a: {}", "[".repeat(100_000));
        assert_eq!(locate(&src, "a[0][0]"), Position { line: 1, column: 8 });
        let deepest = "a".to_string() + &"[0]".repeat(MAX_DEPTH - 1);
        assert_eq!(
            field_at(
                &src,
                Position {
                    line: 1,
                    column: 50_000
                }
            ),
            deepest
        );
    }
}
