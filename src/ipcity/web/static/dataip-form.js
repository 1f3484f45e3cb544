// The application form: add the SHA-256 lines of locally chosen data files to the declared hashes.
(function () {
  const picker = document.getElementById("local-hash-files");
  const box = document.getElementById("f-declared_hashes");
  const status = document.getElementById("local-hash-status");
  picker.addEventListener("change", async function () {
    const files = Array.from(picker.files);
    let added = 0;
    status.textContent = status.dataset.working;
    for (const file of files) {
      try {
        const hex = await window.ipcityDataip.sha256(file);
        if (box.value && !box.value.endsWith("\n")) { box.value += "\n"; }
        box.value += hex + "  " + file.name + "\n";
        added += 1;
      } catch (err) {
        status.textContent = err.message === "too-large" ? status.dataset.tooLarge.replace("{name}", file.name)
                                                         : status.dataset.unsupported;
        picker.value = "";
        return;
      }
    }
    picker.value = "";  // nothing of these files stays in the form
    status.textContent = status.dataset.done.replace("{n}", added);
    box.dispatchEvent(new Event("input"));
  });
})();
