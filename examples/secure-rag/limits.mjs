// Token-bucket rate limits per client (API key or address), in memory.
export class RateLimiter {
  constructor({ ratePerSecond, burst, maxClients = 10_000 }) {
    this.rate = ratePerSecond;
    this.burst = burst;
    this.maxClients = maxClients;
    this.buckets = new Map();
  }

  /** Takes one token for `client`: `{ ok: true }` or `{ ok: false, retryAfterSeconds }`. */
  take(client, now = Date.now()) {
    let b = this.buckets.get(client);
    if (!b) {
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value);
      b = { tokens: this.burst, at: now };
      this.buckets.set(client, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.rate)) };
  }
}
