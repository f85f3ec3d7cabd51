import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** The output folder of the chart holding `c` ('' for the app outdir or a plain chart). */
export function outputDirOf(c: IConstruct): string {
  let chart: Chart & { outputDir?: unknown };
  try {
    chart = Chart.of(c);
  } catch {
    return '';
  }
  return typeof chart.outputDir === 'string' ? chart.outputDir : '';
}
