// Types of the lint rule next to it (plain JS so that eslint.config.js loads it without a loader).
import type { Rule } from 'eslint';
declare const rule: Rule.RuleModule;
export default rule;
