#!/usr/bin/env bash
# Copied from the samples tools: makes the degraded scans that make bench-ocr measures.
# degrade.sh PAGE.png OUTDIR: makes the scans a school's scanner or photocopier would leave
# from one clean 300 dpi page: skewed, noisy JPEG, 200 dpi grey, photocopy, sideways, 150 dpi,
# TIFF, upside down, shadowed.
# Needs ImageMagick (Debian package imagemagick; its binary is /usr/bin/convert).
set -euo pipefail
in=$1 out=$2 IM=${IM:-/usr/bin/convert}
mkdir -p "$out"; b=$(basename "${in%.*}")
$IM -seed 7 "$in" -background white -rotate 1.2 -gravity center -extent 2480x3508 -attenuate 0.6 +noise Gaussian -quality 80 -density 300 -units PixelsPerInch "$out/$b-skew.jpg"
$IM -seed 7 "$in" -background white -rotate -1.5 -gravity center -extent 2480x3508 -resize 66.67% -density 200 -units PixelsPerInch "$out/$b-200dpi.png"
$IM -seed 7 "$in" +level 15%,85% -attenuate 1.2 +noise Impulse -blur 0x0.9 -quality 50 -density 300 -units PixelsPerInch "$out/$b-photocopy.jpg"
$IM -seed 7 "$in" -rotate 90 -density 300 -units PixelsPerInch "$out/$b-sideways.png"
$IM -seed 7 "$in" -resize 50% -quality 70 -density 150 -units PixelsPerInch "$out/$b-150dpi.jpg"
$IM -seed 7 "$in" -density 300 -units PixelsPerInch -compress lzw "$out/$b.tif"
# Added in sohoa: a page fed in upside down, and a photo under a lamp (paper white to 45% grey).
$IM -seed 7 "$in" -rotate 180 -density 300 -units PixelsPerInch "$out/$b-upside.png"
$IM -seed 7 "$in" \( -size 2480x3508 gradient:white-gray45 \) -compose multiply -composite -density 300 -units PixelsPerInch -quality 85 "$out/$b-shadow.jpg"
echo "$out"
