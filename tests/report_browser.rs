//! `backprop report` in a real browser (headless Chromium): the page loads nothing from
//! outside, "step" and the arrow keys move the highlighted edge and fill in the adjoints the
//! engine computes, the tables show the engine's numbers to the last bit, the layout fits a
//! phone's width, and screenshots are not blank. Without Chromium the test says so and passes.

mod browser;

use std::path::Path;
use std::process::Command;

use autodiff::{Contribution, Graph};
use lecture::compare::{compare, formula_hessian};
use lecture::{Net, Point};
use serde_json::{json, Value};

use browser::{find_chromium, Browser};

/// A DOM string holding a full-precision number, as an `f64`.
fn number(v: &Value) -> f64 {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a number string, got {v}"))
        .parse()
        .unwrap()
}

/// The highlighted edge as `[source, target, slot]`, or null.
const CURRENT_EDGE: &str = "(() => { const e = document.querySelector('.edge.current'); \
    return e ? [e.dataset.source, e.dataset.target, e.dataset.slot].map(Number) : null; })()";

/// Asserts the page shows contribution `k` (1-based) of the sweep: that edge highlighted,
/// its source's adjoint the engine's running sum, bit for bit.
fn assert_at_step(page: &mut Browser, events: &[Contribution], k: usize) {
    let e = &events[k - 1];
    assert_eq!(
        page.eval(CURRENT_EDGE),
        json!([e.source, e.target, e.slot]),
        "step {k}"
    );
    let shown = page.eval(&format!(
        "document.getElementById('adj-{}').dataset.value",
        e.source
    ));
    assert_eq!(
        number(&shown).to_bits(),
        e.sum.to_bits(),
        "step {k}: {shown}"
    );
    let status = page.eval("document.getElementById('sweep-status').dataset.step");
    assert_eq!(status, json!(k.to_string()));
}

/// Decodes a PNG and checks its size and that it is not one flat colour; returns how many
/// distinct colours it has.
fn check_screenshot(png_bytes: &[u8], width: u32, height: u32, save: &Path) -> usize {
    std::fs::write(save, png_bytes).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (width, height));
    let pixel = info.color_type.samples();
    let mut colours: Vec<&[u8]> = buf[..info.buffer_size()].chunks(pixel).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 16,
        "{}: only {} colours",
        save.display(),
        colours.len()
    );
    colours.len()
}

#[test]
fn the_lesson_steps_through_the_sweep_in_chromium_with_the_engines_numbers() {
    let Some(chromium) = find_chromium() else {
        eprintln!("skipping report_browser: no chromium on PATH (apt-get install -y chromium, or set CHROMIUM)");
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let page_path = dir.join("lesson.html");
    let out = Command::new(env!("CARGO_BIN_EXE_backprop"))
        .args(["report", "--quiet", "--out"])
        .arg(&page_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // the engine's numbers
    let point = Point::slides();
    let g = Graph::new();
    let net = Net::Lecture.build(&g, &point).unwrap();
    let trace = net.cost.trace();
    let grads = net.cost.backward();
    let events: Vec<Contribution> = trace.steps.iter().flat_map(|s| s.passes.clone()).collect();

    let mut page = Browser::start(&chromium, &dir.join("profile"));
    page.open_page(1280, 800);
    page.navigate(&format!("file://{}", page_path.display()));
    page.wait_for("document.body !== null && document.body.dataset.ready === 'true'");

    // self-contained: nothing fetched, no src or href leaving the page
    assert_eq!(
        page.eval("performance.getEntriesByType('resource').length"),
        json!(0)
    );
    let outside = "Array.from(document.querySelectorAll('[src],[href]'))\
        .map(e => e.getAttribute('src') || e.getAttribute('href')).filter(u => !u.startsWith('#'))";
    assert_eq!(page.eval(outside), json!([]));

    // the net: one box per node, one arrow per operand edge
    let edges: usize = trace.nodes.iter().map(|n| n.operands.len()).sum();
    let drawn = page.eval(
        "[document.querySelectorAll('#net-figure .node').length, \
        document.querySelectorAll('#net-figure .edge').length]",
    );
    assert_eq!(drawn, json!([trace.nodes.len(), edges]));

    // before any step: only C has an adjoint, 1; no edge highlighted
    assert_eq!(page.eval(CURRENT_EDGE), Value::Null);
    let root = page.eval(&format!(
        "document.getElementById('adj-{}').dataset.value",
        trace.root
    ));
    assert_eq!(number(&root), 1.0);

    // "step" by mouse, the arrow keys, "back"
    page.click("#step");
    assert_at_step(&mut page, &events, 1);
    page.click("#step");
    assert_at_step(&mut page, &events, 2);
    let done = format!(
        "#edge-{}-{}-{}.done",
        events[0].source, events[0].target, events[0].slot
    );
    assert_eq!(
        page.eval(&format!("document.querySelector('{done}') !== null")),
        json!(true)
    );
    page.key("ArrowRight");
    assert_at_step(&mut page, &events, 3);
    page.key("ArrowLeft");
    assert_at_step(&mut page, &events, 2);
    page.click("#back");
    assert_at_step(&mut page, &events, 1);
    // "play" runs on by itself until paused; a focused button answers Enter
    page.click("#play");
    page.wait_for("Number(document.getElementById('sweep-status').dataset.step) >= 3");
    page.click("#play");
    assert_eq!(
        page.eval("document.getElementById('play').textContent"),
        json!("play")
    );
    let paused = page.eval("document.getElementById('sweep-status').dataset.step");
    let paused: usize = paused.as_str().unwrap().parse().unwrap();
    assert_at_step(&mut page, &events, paused);
    page.eval("document.getElementById('reset').focus()");
    page.key("Enter");
    assert_eq!(page.eval(CURRENT_EDGE), Value::Null);
    page.eval("document.getElementById('step').focus()");
    page.key("Enter");
    assert_at_step(&mut page, &events, 1);
    for k in 2..=events.len() {
        page.key("ArrowRight");
        assert_at_step(&mut page, &events, k);
    }
    assert_eq!(
        page.eval("document.getElementById('step').disabled"),
        json!(true)
    );
    // at the end every weight shows its gradient, the bits of backward()
    for &w in &net.weights {
        let shown = page.eval(&format!(
            "document.getElementById('adj-{}').dataset.value",
            w.index()
        ));
        assert_eq!(
            number(&shown).to_bits(),
            grads.wrt(w).to_bits(),
            "w at node {}",
            w.index()
        );
    }

    // the tables: forward values, the three gradients, the Hessian's formula
    let forward = page.eval(
        "Array.from(document.querySelectorAll('#forward-table tbody tr'))\
         .map(r => [r.dataset.node, r.cells[2].dataset.value])",
    );
    let forward = forward.as_array().unwrap();
    assert_eq!(forward.len(), trace.nodes.len());
    for (row, node) in forward.iter().zip(&trace.nodes) {
        assert_eq!(row[0], json!(node.index.to_string()));
        assert_eq!(
            number(&row[1]).to_bits(),
            node.value.to_bits(),
            "{}",
            node.name
        );
    }
    let comparison = compare(Net::Lecture, &point).unwrap();
    let check = page.eval(
        "Array.from(document.querySelectorAll('#check-table tbody tr'))\
         .map(r => Array.from(r.cells).slice(2, 5).map(c => c.dataset.value))",
    );
    for (row, expected) in check.as_array().unwrap().iter().zip(&comparison.rows) {
        assert_eq!(number(&row[0]).to_bits(), expected.tape.to_bits());
        assert_eq!(
            number(&row[1]).to_bits(),
            expected.formula.unwrap().to_bits()
        );
        assert_eq!(number(&row[2]).to_bits(), expected.numeric.to_bits());
    }
    let formula = formula_hessian(&net).unwrap();
    let hessian = page.eval(
        "Array.from(document.querySelectorAll('#hessian-table td')).map(c => c.dataset.formula)",
    );
    let shown: Vec<f64> = hessian.as_array().unwrap().iter().map(number).collect();
    assert_eq!(shown, formula.concat());

    // screenshots: the top of the page mid-sweep at 1280×800, then at a phone's width
    page.eval("window.scrollTo(0, 0)");
    page.click("#reset");
    for _ in 0..5 {
        page.click("#step");
    }
    page.eval("window.scrollTo(0, 0)");
    let desktop = dir.join("lesson-1280x800.png");
    let colours = check_screenshot(&page.screenshot(), 1280, 800, &desktop);
    page.viewport(390, 844, true);
    page.eval("window.scrollTo(0, 0)");
    // the page itself does not scroll sideways: wide figures and tables scroll in their boxes
    let width = page.eval("document.documentElement.scrollWidth");
    assert!(
        width.as_u64().unwrap() <= 390,
        "page is {width} px wide at a phone's 390"
    );
    let phone = dir.join("lesson-390x844.png");
    check_screenshot(&page.screenshot(), 390, 844, &phone);
    eprintln!(
        "report_browser: screenshots {} ({colours} colours) and {}",
        desktop.display(),
        phone.display()
    );
}
