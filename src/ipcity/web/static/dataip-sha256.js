// In-browser SHA-256 of a chosen file (Web Crypto); the file is read locally and never sent anywhere.
window.ipcityDataip = window.ipcityDataip || {};
// crypto.subtle.digest needs the whole file in memory: beyond this, use sha256sum and paste the line.
window.ipcityDataip.BROWSER_MAX = 1024 * 1024 * 1024;
window.ipcityDataip.sha256 = async function (file) {
  if (!(window.crypto && window.crypto.subtle)) { throw new Error("no-webcrypto"); }
  if (file.size > window.ipcityDataip.BROWSER_MAX) { throw new Error("too-large"); }
  const digest = await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
};
