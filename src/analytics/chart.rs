//! Bar charts drawn on the server as SVG: no chart script, readable by screen readers
//! (a title and a description listing every value), and printable.

/// One bar: its label under the axis and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
const LEFT: i64 = 36;
const BOTTOM: i64 = 36;
const TOP: i64 = 18;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An SVG bar chart; `id` must be unique on the page.
pub fn bars(id: &str, title: &str, bars: &[Bar]) -> String {
    let id = escape(id);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let plot_h = HEIGHT - BOTTOM - TOP;
    let n = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = (WIDTH - LEFT) / n;
    let bar_w = (slot * 7 / 10).max(1);
    let desc = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.value))
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(&desc)
    );
    let axis_y = HEIGHT - BOTTOM;
    svg.push_str(&format!(
        r#"<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH}" y2="{axis_y}" class="axis"/><text x="{}" y="{}" class="tick" text-anchor="end">{max}</text><text x="{}" y="{axis_y}" class="tick" text-anchor="end">0</text>"#,
        LEFT - 4,
        TOP + 4,
        LEFT - 4
    ));
    for (i, b) in bars.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let h = b.value.max(0) * plot_h / max;
        let x = LEFT + i * slot + (slot - bar_w) / 2;
        let y = axis_y - h;
        let mid = x + bar_w / 2;
        svg.push_str(&format!(
            r#"<rect x="{x}" y="{y}" width="{bar_w}" height="{h}" class="bar"/><text x="{mid}" y="{}" class="value" text-anchor="middle">{}</text><text x="{mid}" y="{}" class="tick" text-anchor="middle">{}</text>"#,
            y - 3,
            b.value,
            axis_y + 14,
            escape(&b.label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: i64) -> Bar {
        Bar {
            label: label.into(),
            value,
        }
    }

    #[test]
    fn bars_are_as_tall_as_their_share_of_the_largest() {
        let svg = bars(
            "w",
            "Orders",
            &[bar("1 Nov", 10), bar("8 Nov", 5), bar("15 Nov", 0)],
        );
        let plot = HEIGHT - BOTTOM - TOP;
        assert!(svg.contains(&format!(r#"height="{plot}" class="bar""#)));
        assert!(svg.contains(&format!(r#"height="{}" class="bar""#, plot / 2)));
        assert!(svg.contains(r#"height="0" class="bar""#));
        assert!(svg.contains("<desc id=\"w-desc\">1 Nov: 10, 8 Nov: 5, 15 Nov: 0</desc>"));
        assert!(svg.contains(r#"role="img""#));
    }

    #[test]
    fn labels_are_escaped_and_no_data_still_draws() {
        let svg = bars("x", "<b>", &[bar("<script>", 1)]);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;b&gt;"));
        let empty = bars("e", "Nothing", &[]);
        assert!(empty.starts_with("<svg") && empty.ends_with("</svg>"));
    }
}
