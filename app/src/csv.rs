//! CSV that a spreadsheet reads as written: the one writer behind every download (a chart's
//! table in the browser, the conversations' export on the server).
//!
//! RFC 4180: cells separated by commas, lines ended by CR LF, a cell quoted when it holds a
//! comma, a quote or a line break. One more rule for spreadsheets: a cell that starts like a
//! formula (`=`, `+`, `-`, `@`) gets a leading `'`, so a customer's name or comment is never
//! run as one.

/// A CSV cell: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or
/// `@` is escaped so a spreadsheet never reads it as a formula.
pub fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One line of CSV: the cells, each through [`cell`], joined by commas and ended by CR LF.
pub fn row<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    let mut line = cells
        .into_iter()
        .map(|text| cell(text.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_is_quoted_only_when_it_must_be() {
        assert_eq!(cell("Sari"), "Sari");
        assert_eq!(cell(""), "");
        assert_eq!(cell("Asked, politely"), "\"Asked, politely\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn a_cell_that_looks_like_a_formula_is_never_run() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+62 812"), "'+62 812");
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("a=b"), "a=b");
    }

    #[test]
    fn a_row_joins_its_cells_and_ends_with_cr_lf() {
        assert_eq!(row(["a", "b,c", ""]), "a,\"b,c\",\r\n");
        assert_eq!(row(Vec::<String>::new()), "\r\n");
    }
}
