// Mocha's spec output, plus one closing line "N passed, N failed, N skipped" that
// CI systems (and people skimming logs) can read without knowing mocha's wording.
import Mocha from 'mocha';

const { EVENT_RUN_END } = Mocha.Runner.constants;

export default class SpecWithTotals extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      if (!s) return;
      // Printed after Spec's epilogue so it is the last line of the run.
      process.on('exit', () => {
        console.log(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
      });
    });
  }
}
