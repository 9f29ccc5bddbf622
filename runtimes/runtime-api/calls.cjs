'use strict';
// The calls an instance has been given and not yet answered, between the two sides of the bridge: Kumo's
// instance protocol submits them, the program takes them with `GET …/invocation/next` and settles them by
// request id with `POST …/invocation/{id}/response|error`.

/** FC's function types (`X-Fc-Function-Type`): what the program is asked to run. */
const FUNCTION_TYPE = { handler: 0, initializer: 1, preStop: 2, preFreeze: 3 };

/**
 * One call. `answer` resolves once with `{ ok: true, body, httpParams }` or `{ ok: false, error }` (error: the
 * FC error object). A call is `queued` until a poll takes it, `running` until the program answers it, then
 * `done`; an abandoned call (Kumo hung up: timeout, client gone) is `done` without an answer anyone reads.
 */
class Call {
  constructor({ id, type, headers, body, deadline, httpParams }) {
    this.id = id;
    this.type = type;
    this.headers = headers;
    this.body = body;
    this.deadline = deadline;
    this.httpParams = httpParams;
    this.state = 'queued';
    this.answer = new Promise((resolve) => {
      this.settle = (result) => {
        if (this.state === 'done') return false;
        this.state = 'done';
        resolve(result);
        return true;
      };
    });
  }
}

/** The bridge's bookkeeping: waiting calls, parked polls, running calls by request id, and a final failure. */
class CallQueue {
  #queued = [];
  #polls = [];
  #running = new Map();
  #failure = undefined;

  constructor(limits) {
    this.limits = limits;
  }

  /** Queues a call; answers it at once when another call has its id or the queue is full or failed. */
  submit(call) {
    if (this.#failure) return call.settle(this.#failure);
    if (this.#running.has(call.id) || this.#queued.some((queued) => queued.id === call.id)) {
      return call.settle(failure(`request id ${call.id} is already in flight on this instance`));
    }
    if (this.#queued.length >= this.limits.maxQueued) {
      return call.settle(failure(`more than ${this.limits.maxQueued} calls are waiting on this instance`));
    }
    for (let poll = this.#polls.shift(); poll; poll = this.#polls.shift()) {
      if (this.#start(call, poll)) return true;
    }
    this.#queued.push(call);
    return true;
  }

  /**
   * A poll of the program: `deliver(call)` is run with the next call, now or once one arrives, and says whether
   * the program got it (false: its connection is gone, the call waits for another poll). Returns a function that
   * withdraws the poll (the program hung up), or undefined when too many polls are parked.
   */
  poll(deliver) {
    const call = this.#queued.shift();
    if (call) {
      if (!this.#start(call, deliver)) this.#queued.unshift(call);
      return () => {};
    }
    if (this.#polls.length >= this.limits.maxPolls) return undefined;
    this.#polls.push(deliver);
    return () => {
      const index = this.#polls.indexOf(deliver);
      if (index !== -1) this.#polls.splice(index, 1);
    };
  }

  /** The running call with this request id; undefined when none (never given out, answered or abandoned). */
  running(id) {
    return this.#running.get(id);
  }

  /** Settles a running call with the program's answer. */
  finish(call, result) {
    if (this.#running.get(call.id) === call) this.#running.delete(call.id);
    call.settle(result);
  }

  /** Kumo no longer waits for this call: forget it wherever it is. */
  abandon(call) {
    const index = this.#queued.indexOf(call);
    if (index !== -1) this.#queued.splice(index, 1);
    if (this.#running.get(call.id) === call) this.#running.delete(call.id);
    call.settle(failure('abandoned'));
  }

  /** From now on every call, waiting, running or to come, is answered with `result` (a failed init). */
  failAll(result) {
    this.#failure = result;
    for (const call of this.#queued.splice(0)) call.settle(result);
    for (const call of this.#running.values()) call.settle(result);
    this.#running.clear();
  }

  get failed() {
    return this.#failure !== undefined;
  }

  #start(call, deliver) {
    call.state = 'running';
    this.#running.set(call.id, call);
    if (deliver(call)) return true;
    call.state = 'queued';
    this.#running.delete(call.id);
    return false;
  }
}

/** A failure answer: FC's error object shape. */
function failure(errorMessage, errorType) {
  return { ok: false, error: errorType ? { errorMessage, errorType } : { errorMessage } };
}

module.exports = { Call, CallQueue, FUNCTION_TYPE, failure };
