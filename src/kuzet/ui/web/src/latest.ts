// Answers come back out of order: a person acts again (another search, another camera,
// another list) before the server answered the first time, and a busy server answers the
// later question first. A screen that draws an answer takes a ticket when it asks and
// draws only while that ticket is still the newest of its kind: an earlier, slower answer
// is dropped instead of drawing over the later one (or into a card the person left).

/** True while no later request of the same kind was made. */
export type Ticket = () => boolean;

/** One kind of request (a screen's search, its card): each call is a new request's ticket
 *  and makes every earlier one stale (call it alone to drop what is still on its way). */
export function latest(): () => Ticket {
  let n = 0;
  return () => {
    const mine = ++n;
    return () => mine === n;
  };
}
