// Where a user's view of a round starts: their own place when it lies inside the round's
// scope, else the round's scope (a user above the scope, or an admin with no place).
import { placeGet } from '../api.js';

export async function startPlace(round, user) {
  const own = user && user.place && user.place.code;
  if (!own || own === round.scope) return round.scope;
  const p = await placeGet(own);
  const path = (p.path || []).map((x) => x.code);
  return path.includes(round.scope) ? own : round.scope;
}
