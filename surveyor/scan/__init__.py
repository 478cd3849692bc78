"""Read scanned paper questionnaires back into responses (``surveyor scan``).

The stages, one module each:

- :mod:`~surveyor.scan.raster`: scans (PDF, PNG, JPEG, TIFF, folders) to grey images;
- :mod:`~surveyor.scan.identify`: the page code (QR) says what a page is, and which way up;
- :mod:`~surveyor.scan.register`: the corner squares map the printed page onto the scan;
- :mod:`~surveyor.scan.marks`: how much of each tick box is inked, and what that means;
- :mod:`~surveyor.scan.assemble`: pages to respondents, with missing and duplicate pages;
- :mod:`~surveyor.scan.outputs`: responses, the review list and sheet, the audit logs;
- :mod:`~surveyor.scan.read`: the whole run.

OpenCV, pypdfium2 and zxing-cpp come with the optional extra ``surveyor[scan]``.
"""

from __future__ import annotations

from surveyor.errors import SurveyorError


def require() -> None:
    """Raise a clear error when the scanning libraries are not installed."""
    missing = []
    for module, package in (("cv2", "opencv-python-headless"), ("pypdfium2", "pypdfium2"),
                            ("zxingcpp", "zxing-cpp")):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        raise SurveyorError(
            f"reading scans needs {', '.join(missing)}, which are not installed; "
            "install them with: pip install 'surveyor[scan]'"
        )
