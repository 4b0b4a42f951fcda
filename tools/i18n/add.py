#!/usr/bin/env python3
"""Adds translations to the zh-CN resx: python3 tools/i18n/add.py translations.json ({"English key": "中文"}).
Existing keys are left alone; new ones are appended before </root>."""
import json
import sys
from xml.sax.saxutils import escape

RESX = "src/Portal.Core/Localization/SharedResource.zh-CN.resx"

def main(path):
    pairs = json.load(open(path, encoding="utf-8"))
    text = open(RESX, encoding="utf-8").read()
    added = 0
    for key, value in pairs.items():
        marker = f'<data name="{escape(key, {chr(34): "&quot;"})}" '
        if marker in text:
            continue
        entry = f'  <data name="{escape(key, {chr(34): "&quot;"})}" xml:space="preserve">\n    <value>{escape(value)}</value>\n  </data>\n'
        text = text.replace("</root>", entry + "</root>")
        added += 1
    open(RESX, "w", encoding="utf-8").write(text)
    print(f"{added} added, {len(pairs) - added} already present")

if __name__ == "__main__":
    main(sys.argv[1])
