"""Map the printed page onto the scan with the four corner squares (fiducials).

The scan is turned upright (quarter turns from the page code), each square is found near
where it should be, and the perspective transform taking the squares' printed centres to
their centres in the scan is used to resample the page at a fixed resolution, so every
box is then exactly where the layout says.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveyor.instrument.pagemarks import FIDUCIAL_SIZE, MM, PAGE_SIZES_PT, fiducial_centres

PX_PER_PT = 200 / 72  # the resolution pages are resampled to
SEARCH = 25 * MM  # how far from its expected place a square is looked for


class RegistrationError(Exception):
    """The corner squares could not be found."""


@dataclass
class Registered:
    """The page resampled upright at :data:`PX_PER_PT`, and where its squares were."""

    image: object  # numpy uint8, grey
    found: list[tuple[float, float]]
    residual: float  # largest distance (pt) of a square from one rotation, scale, shift


def upright(image, turns: int):
    import numpy as np

    return np.ascontiguousarray(np.rot90(image, turns)) if turns % 4 else image


def register(image, paper: str) -> Registered:
    """Resample ``image`` (upright) so that page points map to pixels by PX_PER_PT."""
    import cv2
    import numpy as np

    width_pt, height_pt = PAGE_SIZES_PT[paper]
    height, width = image.shape[:2]
    scale = (width / width_pt + height / height_pt) / 2  # scan px per pt, roughly
    expected = fiducial_centres(paper)
    candidates = [_find_squares(image, x * scale, y * scale, scale) for x, y in expected]
    good = _best_fit(expected, candidates, scale)
    if len(good) < 3:
        found = sum(1 for c in candidates if c)
        raise RegistrationError(
            f"found {found} of the 4 corner squares; the page may be cut off or folded"
        )
    src = np.float32([f for _, f in good])
    dst = np.float32([(x * PX_PER_PT, y * PX_PER_PT) for (x, y), _ in good])
    if len(good) == 4:
        matrix = cv2.getPerspectiveTransform(src, dst)
    else:
        matrix = np.vstack([cv2.getAffineTransform(src, dst), [0, 0, 1]])
    size = (round(width_pt * PX_PER_PT), round(height_pt * PX_PER_PT))
    warped = cv2.warpPerspective(
        image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    residual = _similarity_misfit([e for e, _ in good], [f for _, f in good]) / scale
    return Registered(warped, [tuple(map(float, f)) for _, f in good], residual)


def _best_fit(expected, candidates, scale):
    """The corner squares that best agree with the printed pattern.

    Each corner may offer several dark squares (a blurred cluster of QR modules can look
    like one); the combination whose centres are best explained by one rotation, scale
    and shift of the printed centres wins. With no good set of four, the best three.
    Returns (printed centre, found centre) pairs.
    """
    import itertools

    limit = 1.5 * MM * scale  # px: worst allowed misfit of a square
    corners = [i for i, c in enumerate(candidates) if c]
    best: list = []
    for size in (4, 3):
        scored = []
        for chosen in itertools.combinations(corners, size):
            for picks in itertools.product(*(candidates[i][:3] for i in chosen)):
                misfit = _similarity_misfit([expected[i] for i in chosen], picks)
                scored.append((misfit, chosen, picks))
        if scored:
            misfit, chosen, picks = min(scored, key=lambda s: s[0])
            if misfit <= limit:
                best = [(expected[i], p) for i, p in zip(chosen, picks, strict=True)]
                break
    return best


def _similarity_misfit(points, found) -> float:
    """Largest distance between ``found`` and ``points`` moved by the best rotation,
    scale and shift (least squares)."""
    import numpy as np

    src = np.asarray(points, dtype=float)
    dst = np.asarray(found, dtype=float)
    rows = []
    for x, y in src:
        rows.append([x, -y, 1, 0])
        rows.append([y, x, 0, 1])
    solution, *_ = np.linalg.lstsq(np.array(rows), dst.reshape(-1), rcond=None)
    fitted = (np.array(rows) @ solution).reshape(-1, 2)
    return float(np.max(np.hypot(*(fitted - dst).T)))


def _find_squares(image, cx: float, cy: float, scale: float) -> list:
    """Centres of solid squares of the fiducials' size near (cx, cy), in scan pixels,
    nearest first."""
    import cv2
    import numpy as np

    reach = SEARCH * scale
    x0, y0 = max(0, int(cx - reach)), max(0, int(cy - reach))
    x1, y1 = min(image.shape[1], int(cx + reach)), min(image.shape[0], int(cy + reach))
    window = image[y0:y1, x0:x1]
    if window.size == 0:
        return []
    window = cv2.GaussianBlur(window, (5, 5), 0)
    _, binary = cv2.threshold(window, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    side = FIDUCIAL_SIZE * scale
    found = []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if not (0.7 * side <= w <= 1.4 * side and 0.7 * side <= h <= 1.4 * side):
            continue
        if area < 0.8 * w * h or area < 0.5 * side * side:
            continue
        mx, my = centroids[label]
        distance = float(np.hypot(mx + x0 - cx, my + y0 - cy))
        found.append((distance, (float(mx + x0), float(my + y0))))
    return [point for _, point in sorted(found)]
