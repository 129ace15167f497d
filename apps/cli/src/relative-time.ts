/** How long ago a timestamp was, Heroku-style: `just now`, `45s ago`, `2m ago`, `3h ago`, `5d ago`. */
export function relativeTime(when: string | Date, now: Date = new Date()): string {
  const date = when instanceof Date ? when : new Date(when);
  const ms = date.getTime();
  if (Number.isNaN(ms)) return typeof when === 'string' ? when : 'unknown';
  const seconds = Math.floor((now.getTime() - ms) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ago`;
  const days = Math.floor(hours / 24);
  if (days < 30) return `${days}d ago`;
  return date.toISOString().slice(0, 10);
}
