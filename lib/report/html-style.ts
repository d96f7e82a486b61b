// The report's stylesheet and script, kept apart from the markup so html.ts reads as
// structure. Both are hashed into the page's Content-Security-Policy.

export const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;
--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--err:#9a6700;--err-bg:#fff8c5;
--skip:#59636e;--skip-bg:#eff2f5;
--terminating:#fb8c00;--gone:#9aa4ae;--pending:#f5c518;--running:#4593f8;--restarting:#8250df;--ready:#2da44e;--kill:#cf222e}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:20px 24px 48px}
h2{font-size:18px;margin:28px 0 10px}
h3{font-size:15px;margin:0}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.banner{display:flex;flex-wrap:wrap;align-items:center;gap:18px 28px;padding:18px 22px;border-radius:10px;border:1px solid var(--line);background:var(--card);border-left:10px solid var(--muted)}
.banner.v-passed{border-left-color:var(--pass)}.banner.v-failed{border-left-color:var(--fail)}.banner.v-error{border-left-color:var(--err)}
.verdict{font-size:34px;font-weight:800;letter-spacing:.04em;line-height:1}
.v-passed .verdict{color:var(--pass)}.v-failed .verdict{color:var(--fail)}.v-error .verdict{color:var(--err)}
.banner .what{flex:1 1 320px}
.banner .title{font-size:16px;font-weight:600}
.banner .sub{color:var(--muted)}
.counts{display:flex;gap:8px;flex-wrap:wrap}
.chip{display:inline-block;padding:3px 10px;border-radius:999px;font-weight:600;font-size:13px;white-space:nowrap}
.chip.passed{color:var(--pass);background:var(--pass-bg)}.chip.failed{color:var(--fail);background:var(--fail-bg)}
.chip.error{color:var(--err);background:var(--err-bg)}.chip.skipped{color:var(--skip);background:var(--skip-bg)}
.chip.zero{opacity:.45}
.run-error{margin-top:16px;padding:14px 18px;border-radius:8px;background:var(--fail-bg);border:1px solid #ffcecb}
.run-error strong{color:var(--fail)}
.run-error pre{white-space:pre-wrap;word-break:break-word;margin:8px 0 0}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:14px;margin-top:16px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.panel h3{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin-bottom:6px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
dt{color:var(--muted)}dd{margin:0;word-break:break-word}
.replay{margin-top:14px}
.replay .row{display:flex;gap:8px;align-items:stretch}
.replay code{flex:1;display:block;padding:9px 12px;background:#0d1117;color:#e6edf3;border-radius:6px;white-space:pre-wrap;word-break:break-all}
button.copy{font:inherit;font-size:13px;padding:0 14px;border:1px solid var(--line);border-radius:6px;background:var(--card);cursor:pointer}
.check{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:10px 0;border-left:5px solid var(--muted)}
.check.s-failed{border-left-color:var(--fail)}.check.s-error{border-left-color:var(--err)}
.check.s-passed{border-left-color:var(--pass)}.check.s-skipped{border-left-color:var(--skip)}
.check header{display:flex;gap:12px;align-items:baseline;padding:10px 14px;flex-wrap:wrap}
.check .id{font-weight:700}
.check .guarantee{color:var(--muted);flex:1 1 300px}
.check .dur{color:var(--muted);font-size:12px}
.check .msg{padding:0 14px 10px;white-space:pre-wrap;word-break:break-word}
.check.s-failed .msg,.check.s-error .msg{font-weight:600}
.check details{padding:0 14px 10px}
.check summary{cursor:pointer;color:var(--muted)}
.check.compact header{padding:7px 14px}
.check.compact .msg{padding-bottom:6px}
table{border-collapse:collapse;width:100%;margin-top:6px}
th,td{text-align:left;padding:5px 8px;border-top:1px solid var(--line);vertical-align:top;word-break:break-word}
th{font-size:12px;color:var(--muted);font-weight:600;background:var(--bg)}
td.t{white-space:nowrap;color:var(--muted)}
table.evidence th:nth-child(1){width:24%}table.evidence th:nth-child(2),table.evidence th:nth-child(3){width:25%}
table.evidence th:nth-child(4){width:9%}table.evidence tr.context td{color:var(--muted);font-size:12px}
td.obs{font-weight:600}
.round{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:12px 0}
.round header{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:baseline;margin-bottom:4px}
.round .plan{color:var(--fg)}
.round .stats{display:flex;gap:18px;flex-wrap:wrap;margin:6px 0 8px}
.stat b{font-size:17px}.stat span{color:var(--muted);margin-right:4px}
.badge{font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px}
.badge.ok{color:var(--pass);background:var(--pass-bg)}.badge.bad{color:var(--fail);background:var(--fail-bg)}
svg.timeline{display:block;margin-top:4px;font-size:12px}
svg .grid{stroke:#eaeef2}svg .axis,svg .tick{stroke:#8c959f}
svg .tick-label,svg .axis-title{fill:var(--muted);font-size:11px}
svg .lane-label{fill:var(--fg);font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
svg .lane-note{fill:var(--fg);font-size:12px}svg .lane-note.bad{fill:var(--fail);font-weight:600}svg .muted{fill:var(--muted)}
svg .idle{stroke:#d0d7de;stroke-dasharray:3 4}
svg .seg-terminating{fill:var(--terminating)}svg .seg-gone{fill:var(--gone)}svg .seg-pending{fill:var(--pending)}
svg .seg-running{fill:var(--running)}svg .seg-restarting{fill:var(--restarting)}svg .seg-ready{fill:var(--ready)}
svg .kill line{stroke:var(--kill);stroke-width:1.5}svg .kill path{fill:var(--kill)}
svg .lane-node{fill:var(--muted);font-size:10px}svg .lane-node.moved{fill:var(--fg);font-weight:600}
svg .move path{fill:#8250df}svg .node-down{fill:var(--fail-bg);stroke:var(--fail);stroke-dasharray:3 2;stroke-width:.8}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;color:var(--muted);font-size:12px;margin-top:4px}
.legend-item{display:inline-flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:14px;height:10px;border-radius:2px}
.swatch-terminating{background:var(--terminating)}.swatch-gone{background:var(--gone);height:4px}
.swatch-pending{background:var(--pending)}.swatch-running{background:var(--running)}.swatch-restarting{background:var(--restarting)}.swatch-ready{background:var(--ready)}
.swatch-kill{background:var(--kill);width:3px;height:14px}
.swatch-move{background:#8250df;width:9px;height:9px;transform:rotate(45deg)}.swatch-node-down{background:var(--fail-bg);border:1px dashed var(--fail)}
svg .unavail{fill:var(--kill);opacity:.7}.swatch-unavail{background:var(--kill);height:3px;opacity:.7}
svg .update-span{fill:#0969da;opacity:.07}svg .update-bar{fill:#0969da;opacity:.6}.swatch-update{background:#0969da;height:4px;opacity:.6}
svg .fault-band{fill:#bf8700;opacity:.14}svg .fault-bar{fill:#bf8700;opacity:.8}.swatch-fault{background:#bf870024;border-top:3px solid #bf8700cc;height:7px}
.recoveries{margin-top:8px}
figure.subhistory{margin:0 14px 10px}figure.subhistory figcaption{color:var(--muted);font-size:13px}
svg .disruption-span{fill:var(--terminating);opacity:.08}svg .disruption .seg-terminating{opacity:.75}
svg .op rect{fill:#8c959f}svg .op.writer rect{fill:var(--ready)}svg .op.source rect{fill:var(--running)}svg .op.failing rect{fill:var(--fail)}
svg .op-info rect{fill-opacity:.25;stroke:#57606a;stroke-dasharray:4 2}svg .op-label{fill:var(--fg);font-size:10px}svg .op.failing .op-label{fill:var(--fail);font-weight:600}
.swatch-op{background:#8c959f}.swatch-op-failing{background:var(--fail)}.swatch-op-writer{background:var(--ready)}.swatch-op-source{background:var(--running)}
.swatch-op-info{background:#8c959f40;border:1px dashed #57606a}
footer{margin-top:36px;color:var(--muted);font-size:12px}
`;

// Copying from file:// may be refused by the clipboard API; selecting the text still
// lets the reader press Ctrl+C, so the button never just fails silently.
export const SCRIPT = `
document.querySelectorAll('button[data-copy]').forEach(function (b) {
  b.addEventListener('click', function () {
    var el = document.getElementById(b.getAttribute('data-copy'));
    if (!el) return;
    function select() {
      var r = document.createRange(); r.selectNodeContents(el);
      var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
      b.textContent = 'Selected: press Ctrl+C';
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(el.textContent || '').then(function () { b.textContent = 'Copied'; }, select);
    } else { select(); }
  });
});
`;
