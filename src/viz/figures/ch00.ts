/** Chapter 0's figure: the MuJoCo pendulum's angle and angular velocity, in two stacked panels sharing the time axis. */
import type { PendulumTrajectory } from "../../experiments/ch00-setup.js";
import type { Figure } from "../plotly.js";

export function pendulumFigure(tr: PendulumTrajectory): Figure {
  const deg = tr.angle.map((a) => (a * 180) / Math.PI);
  return {
    data: [
      { x: tr.t, y: deg, type: "scatter", mode: "lines", name: "angle", line: { color: "#1f77b4", width: 2 } },
      { x: tr.t, y: tr.velocity, type: "scatter", mode: "lines", name: "angular velocity", line: { color: "#ff7f0e", width: 2 }, xaxis: "x2", yaxis: "y2" },
    ],
    layout: {
      title: { text: "MuJoCo pendulum (0.5 m rod, 1 kg) released from 60°, hinge damping 0.05" },
      grid: { rows: 2, columns: 1, pattern: "independent", roworder: "top to bottom" },
      xaxis: { matches: "x2", showticklabels: false },
      yaxis: { title: { text: "angle (°)" }, domain: [0.55, 1], tickvals: [-60, -30, 0, 30, 60], zeroline: true },
      xaxis2: { title: { text: "time (s)" } },
      yaxis2: { title: { text: "angular velocity (rad/s)" }, domain: [0, 0.45], zeroline: true },
      showlegend: false,
      height: 480,
    },
  };
}
