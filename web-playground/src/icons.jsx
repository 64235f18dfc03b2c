// Sidebar icons for our panels, drawn inline (no icon font to download).
const common = { width: 20, height: 20, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true };

export function PlanIcon() {
  return (
    <svg {...common}>
      <rect x="8" y="2.5" width="8" height="5" rx="1" />
      <rect x="2.5" y="16.5" width="8" height="5" rx="1" />
      <rect x="13.5" y="16.5" width="8" height="5" rx="1" />
      <path d="M12 7.5v4.5M6.5 16.5V12h11v4.5" />
    </svg>
  );
}

export function TraceIcon() {
  return (
    <svg {...common}>
      <path d="M3 5h8M7 10h10M12 15h6M5 20h4" strokeWidth="2.6" />
    </svg>
  );
}

export function KeyIcon() {
  return (
    <svg {...common}>
      <circle cx="8" cy="15" r="4.5" />
      <path d="M11.5 12 20 3.5M16.5 7l2.5 2.5M14.5 9l2 2" />
    </svg>
  );
}
