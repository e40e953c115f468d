// Figures that outlive a failed refresh are marked stale, in one place for every page:
// const st = useStale(); after a good answer st.ok(); after a failure st.failed(e, hasData)
// — a network failure (or a gateway's 502–504) with figures on screen keeps them and sets st.since (the time of
// the last good answer) for <Stale :at="st.since" />; anything else is the page's error.
import { reactive } from 'vue';

export function useStale() {
  const st = reactive({
    last: null, // Date of the last good answer
    since: null, // set while the figures shown are older than a failed refresh
    ok() {
      this.last = new Date();
      this.since = null;
    },
    // True when the failure was absorbed (figures kept, marked stale).
    failed(e, hasData) {
      if (e && (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504) && hasData && this.last) {
        this.since = this.last;
        return true;
      }
      return false;
    },
  });
  return st;
}
