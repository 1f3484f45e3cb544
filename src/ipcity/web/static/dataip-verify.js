// The verification page: compare a locally chosen file's SHA-256 with the registered hashes.
(function () {
  const input = document.getElementById("check-file");
  const out = document.getElementById("check-result");
  const hashes = JSON.parse(out.dataset.hashes);
  const names = JSON.parse(out.dataset.names);
  input.addEventListener("change", async function () {
    const file = input.files[0];
    if (!file) { return; }
    out.className = "";
    out.textContent = out.dataset.working;
    let hex;
    try {
      hex = await window.ipcityDataip.sha256(file);
    } catch (err) {
      out.className = "verdict verdict-bad";
      out.textContent = (err.message === "too-large" ? out.dataset.tooLarge : out.dataset.unsupported).replace("{file}", file.name);
      return;
    }
    const at = hashes.indexOf(hex);
    out.dataset.sha256 = hex;
    out.className = "verdict " + (at >= 0 ? "verdict-ok" : "verdict-bad");
    out.textContent = (at >= 0 ? out.dataset.match : out.dataset.nomatch)
      .replace("{file}", file.name).replace("{hash}", hex).replace("{registered}", at >= 0 ? names[at] : "");
  });
})();
