//! Numbers for people (UX.md "Numbers"): `¥1,999`, `¥12.4M`, `¥3.2B`, thousands
//! separators, a real minus sign, never a negative zero.

/// Money: `¥1,999` below a million, `¥12.4M`, `¥3.20B`; currencies other than CNY by code.
pub fn money(currency: &str, value: f64) -> String {
    let symbol = if currency == "CNY" { "¥" } else { currency };
    let v = value.abs();
    let body = if v >= 1e9 {
        format!("{symbol}{:.2}B", v / 1e9)
    } else if v >= 1e6 {
        format!("{symbol}{:.1}M", v / 1e6)
    } else {
        format!("{symbol}{}", thousands(v.round() as u64))
    };
    let shows_nonzero = body.chars().any(|c| c.is_ascii_digit() && c != '0');
    if value < 0.0 && shows_nonzero {
        format!("−{body}")
    } else {
        body
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rounded float with thousands separators and a real minus sign.
pub fn thousands_f64(v: f64) -> String {
    let n = v.round().abs() as u64;
    if v.round() < 0.0 {
        format!("−{}", thousands(n))
    } else {
        thousands(n)
    }
}

/// A metric's value in its own unit: `0.42` for trust, `63.5` for the score (points
/// of 100), `17.0×` for turnover and indices, `6.8%` for ratios, `1,250,000` for
/// counts, money otherwise.
pub fn metric_value(metric: &str, v: f64) -> String {
    let field = metric.split('@').next().unwrap_or("");
    if field == "score" {
        return format!("{v:.1}");
    }
    let is_ratio = ["margin", "ratio", "roi", "trust", "share", "defect", "focus", "cut"]
        .iter()
        .any(|k| field.contains(k));
    if field == "trust" {
        format!("{v:.2}")
    } else if field.contains("turnover") || field == "traffic_cost_index" {
        format!("{v:.1}×")
    } else if is_ratio {
        let v = if v.abs() < 0.0005 { 0.0 } else { v * 100.0 };
        format!("{v:.1}%")
    } else if [
        "units",
        "users",
        "stockouts",
        "demand",
        "inventory",
        "written_off",
        "sku_count",
        "stores",
    ]
    .iter()
    .any(|k| field.contains(k))
    {
        thousands(v.max(0.0).round() as u64)
    } else {
        money("CNY", v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_ux_guide() {
        assert_eq!(money("CNY", 1999.0), "¥1,999");
        assert_eq!(money("CNY", 12_400_000.0), "¥12.4M");
        assert_eq!(money("CNY", 3_200_000_000.0), "¥3.20B");
        assert_eq!(money("CNY", -68_200_000.0), "−¥68.2M");
        assert_eq!(money("CNY", -0.2), "¥0");
        assert_eq!(thousands(7_900_000), "7,900,000");
        assert_eq!(thousands_f64(-1234.4), "−1,234");
        assert_eq!(metric_value("score", 63.46), "63.5");
    }
}
