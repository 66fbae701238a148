/**
 * A uPlot time-series chart as a Preact component: created once, fed with setData on each push, resized
 * with its container. uPlot draws on canvas and styles through its stylesheet (shipped as a file).
 */
import uPlot from "uplot";
import { useEffect, useRef } from "preact/hooks";
import { html } from "../ui.ts";

export interface ChartSeries {
  label: string;
  color: string;
  /** Values per point (null: gap). */
  values: (number | null)[];
  /** Formats a value in the legend and the axis. */
  fmt?: (v: number) => string;
}

const AXIS = { stroke: "#8c9bb0", grid: { stroke: "#263244", width: 1 }, ticks: { stroke: "#263244", width: 1 }, font: "11px system-ui, sans-serif" };

const hhmm = (sec: number) => new Date(sec * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });

/** A line chart over time (`t` in ms); `emptyMax` is the y range's top while every value is 0 or missing. */
export function Chart(props: { title: string; t: number[]; series: ChartSeries[]; height?: number; id?: string; emptyMax?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const fmt = props.series[0]?.fmt ?? ((v: number) => String(Math.round(v * 100) / 100));
  const data = [props.t.map((t) => t / 1000), ...props.series.map((s) => s.values)] as uPlot.AlignedData;

  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 170,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), max > 0 ? max * 1.15 : (props.emptyMax ?? 1)] } },
      axes: [
        { ...AXIS, space: 60, values: (_u, ticks) => ticks.map(hhmm) },
        { ...AXIS, size: 52, values: (_u, ticks) => ticks.map((v) => fmt(v)) },
      ],
      series: [
        { label: "time", value: (_u: uPlot, v: number | null) => (v === null ? "–" : hhmm(v)) },
        ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.75, fill: `${s.color}18`, points: { show: false }, spanGaps: false, value: (_u: uPlot, v: number | null) => (v === null ? "–" : (s.fmt ?? fmt)(v)) })),
      ],
    };
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 170 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [props.series.length]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return html`<div class="panel chart" id=${props.id}>
    <div class="title">${props.title}</div>
    <div ref=${box}></div>
  </div>`;
}
