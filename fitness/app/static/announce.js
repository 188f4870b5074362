// Beep and/or speak one announcement, once: the live panel redraws this frame twice a second,
// so the announcement marks itself as played in the tab's sessionStorage. The page defines
// `ANNOUNCEMENT = {key, beep, say}` in a script just before this one.
(() => {
  const { key, beep, say } = ANNOUNCEMENT;
  const store = window.parent.sessionStorage;
  if (store.getItem(key)) return;
  store.setItem(key, "1");
  if (beep) {
    try {
      const ac = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ac.createOscillator(); const gain = ac.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(ac.destination);
      osc.start(); osc.stop(ac.currentTime + 0.12);
    } catch (e) {}
  }
  if (say && "speechSynthesis" in window) {
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(say));
  }
})();
