/** nextTurnPass for the store's watchers (sys/next-turn.ts): controllers reach it here, as they do not import sys/. */
export { nextTurnPass } from "../sys/next-turn.js";
