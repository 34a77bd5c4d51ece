"""Japanese stop words for jusText, Resiliparse and Trafilatura paragraph scoring.

jusText ships no Japanese stop list, so NeMo Curator uses stopwords-iso's. These 134 words are
``stopwords-ja.txt`` of https://github.com/stopwords-iso/stopwords-ja at commit
5a000f6a62f9, in file order, whitespace-separated (no entry contains whitespace). That list is
under the MIT License:

    The MIT License (MIT)

    Copyright (c) 2016 Gene Diaz

    Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
    associated documentation files (the "Software"), to deal in the Software without restriction,
    including without limitation the rights to use, copy, modify, merge, publish, distribute,
    sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all copies or
    substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
    NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
    NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
    DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
    OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""

from __future__ import annotations

__all__ = ["ja_stopwords"]

_WORDS = """
あそこ あっ あの あのかた あの人 あり あります ある あれ い いう
います いる う うち え お および おり おります か かつて から が き
ここ こちら こと この これ これら さ さらに し しかし する ず せ
せる そこ そして その その他 その後 それ それぞれ それで た ただし
たち ため たり だ だっ だれ つ て で でき できる です では でも と
という といった とき ところ として とともに とも と共に どこ どの な
ない なお なかっ ながら なく なっ など なに なら なり なる なん に
において における について にて によって により による に対して に対する
に関する の ので のみ は ば へ ほか ほとんど ほど ます また または
まで も もの ものの や よう より ら られ られる れ れる を ん 何
及び 彼 彼女 我々 特に 私 私達 貴方 貴方方
"""

ja_stopwords: frozenset[str] = frozenset(_WORDS.split())
