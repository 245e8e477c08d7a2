#!/usr/bin/env bash
# deps.sh: installs what sohoa needs from Debian's packages, if it is missing:
# Tesseract with its Vietnamese, English and orientation (OSD) data, and the
# Tesseract and Leptonica headers that the cgo OCR package builds against.
set -euo pipefail

missing=()
dpkg -s libtesseract-dev >/dev/null 2>&1 || missing+=(libtesseract-dev)
dpkg -s libleptonica-dev >/dev/null 2>&1 || missing+=(libleptonica-dev)
dpkg -s tesseract-ocr >/dev/null 2>&1 || missing+=(tesseract-ocr)
for lang in vie eng osd; do
  dpkg -s "tesseract-ocr-$lang" >/dev/null 2>&1 || missing+=("tesseract-ocr-$lang")
done
dpkg -s poppler-utils >/dev/null 2>&1 || missing+=(poppler-utils) # pdfsig, pdftotext: the tests check signed copies with them
dpkg -s fonts-liberation2 >/dev/null 2>&1 || missing+=(fonts-liberation2) # the fonts the test pages are drawn in (internal/samples)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)

if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
