// SPDX-License-Identifier: Apache-2.0
// Events per day and type as a uPlot line chart (one series per type, the
// smaller types folded into "other"), with the same numbers as a table.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// Distinguishable on white, also for the common colour-vision deficiencies.
const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7e22ce', '#a16207', '#be123c', '#0f766e'];
const MAX_SERIES = 6;
const DAY = 86400;

function dayToSec(day) {
    const t = Date.parse(`${day}T00:00:00Z`);
    return Number.isNaN(t) ? null : t / 1000;
}

function secToDay(s) {
    return new Date(s * 1000).toISOString().slice(0, 10);
}

// per_day rows -> { days: [sec...], series: [{ label, values: [n...] }] }, with
// every day of the window present (zero when quiet), so gaps show as zero.
export function chartData(perDay, windowDays, now = Date.now()) {
    const totals = new Map();
    for (const r of perDay) totals.set(r.type, (totals.get(r.type) ?? 0) + r.count);
    const types = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map((e) => e[0]);
    const shown = types.length > MAX_SERIES + 1 ? types.slice(0, MAX_SERIES) : types;
    const folded = types.length > shown.length;

    const today = Math.floor(now / 1000 / DAY) * DAY;
    let first = today - (windowDays - 1) * DAY;
    let last = today;
    for (const r of perDay) {
        const s = dayToSec(r.day);
        if (s === null) continue;
        if (s < first) first = s;
        if (s > last) last = s;
    }
    const days = [];
    for (let s = first; s <= last; s += DAY) days.push(s);
    const index = new Map(days.map((s, i) => [s, i]));
    const labels = folded ? [...shown, 'other'] : shown;
    const values = labels.map(() => days.map(() => 0));
    for (const r of perDay) {
        const i = index.get(dayToSec(r.day));
        if (i === undefined) continue;
        let k = shown.indexOf(r.type);
        if (k < 0) k = labels.length - 1;
        values[k][i] += r.count;
    }
    return { days, series: labels.map((label, k) => ({ label, values: values[k] })) };
}

export function EventsChart({ perDay, windowDays }) {
    const box = useRef(null);
    const data = chartData(perDay, windowDays);
    const key = JSON.stringify(data);

    useEffect(() => {
        const el = box.current;
        if (!el || data.series.length === 0) return undefined;
        const width = () => Math.max(300, el.clientWidth);
        const plot = new uPlot(
            {
                width: width(),
                height: 280,
                scales: { x: { time: true } },
                // A legend of the series only: its live values would read
                // "--" until the pointer is over the chart.
                legend: { live: false },
                axes: [{}, { label: 'events', size: 60 }],
                series: [
                    { label: 'Day', value: (u, v) => (v === null ? '--' : secToDay(v)) },
                    ...data.series.map((s, k) => ({
                        label: s.label,
                        stroke: PALETTE[k % PALETTE.length],
                        width: 2,
                        points: { show: true, size: 5 },
                    })),
                ],
            },
            [data.days, ...data.series.map((s) => s.values)],
            el
        );
        const onResize = () => plot.setSize({ width: width(), height: 280 });
        window.addEventListener('resize', onResize);
        return () => {
            window.removeEventListener('resize', onResize);
            plot.destroy();
        };
    }, [key]);

    if (data.series.length === 0) return html`<p class="muted">No events in this period.</p>`;
    const nonZero = data.days.map((d, i) => i).filter((i) => data.series.some((s) => s.values[i] > 0));
    return html`<figure class="chart">
        <div ref=${box} class="chart-box" role="img"
            aria-label=${`Events per day by type, ${secToDay(data.days[0])} to ${secToDay(data.days[data.days.length - 1])}`}></div>
        <details>
            <summary>The chart's numbers as a table</summary>
            <table>
                <thead><tr><th scope="col">Day (UTC)</th>${data.series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}</tr></thead>
                <tbody>
                    ${nonZero.map((i) => html`<tr>
                        <th scope="row">${secToDay(data.days[i])}</th>
                        ${data.series.map((s) => html`<td class="num">${s.values[i]}</td>`)}
                    </tr>`)}
                </tbody>
            </table>
        </details>
    </figure>`;
}
