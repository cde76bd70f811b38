// Times as <time> elements: relative text ("3 minutes ago"), the exact time on hover, kept fresh while the page is open.
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function timeElement(iso) {
  const date = new Date(iso);
  const element = document.createElement("time");
  element.dateTime = iso;
  element.title = exact.format(date);
  element.textContent = relativeTime(date);
  return element;
}

function relativeTime(date) {
  const seconds = (date.getTime() - Date.now()) / 1000;
  const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

// Relative times age while the page stays open.
export function keepTimesFresh() {
  setInterval(() => {
    for (const element of document.querySelectorAll("time[datetime]")) element.textContent = relativeTime(new Date(element.dateTime));
  }, 30000);
}
