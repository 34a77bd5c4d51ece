"""Local names of MediaWiki's File/Media and Category namespaces, per wiki language.

Links into the File namespace (images, sounds) are removed from article text; links into the
Category namespace are kept as their bare names. Every wiki also accepts the English names
(``File``, ``Image``, ``Media``, ``Category``), which are always matched. The table covers the
largest wikis; pass ``media_prefixes=`` / ``category_prefixes=`` to ``WikipediaExtractor`` for
any other (the dump's ``<siteinfo><namespaces>`` lists them: keys 6 and -2, and 14).
NeMo Curator carries such a table for about 300 languages.
"""

from __future__ import annotations

__all__ = ["CATEGORY_NAMES", "ENGLISH_CATEGORY", "ENGLISH_MEDIA", "MEDIA_NAMES"]

ENGLISH_MEDIA = ("File", "Image", "Media")
ENGLISH_CATEGORY = ("Category",)

MEDIA_NAMES: dict[str, tuple[str, ...]] = {
    "ar": ("ملف", "صورة", "ميديا"),
    "ca": ("Fitxer", "Imatge"),
    "cs": ("Soubor", "Média"),
    "da": ("Fil", "Billede"),
    "de": ("Datei", "Bild", "Medium"),
    "es": ("Archivo", "Imagen", "Medio"),
    "fa": ("پرونده", "تصویر", "رسانه"),
    "fi": ("Tiedosto", "Kuva"),
    "fr": ("Fichier", "Média"),
    "he": ("קובץ", "תמונה", "מדיה"),
    "hu": ("Fájl", "Kép", "Média"),
    "id": ("Berkas", "Gambar"),
    "it": ("Immagine",),
    "ja": ("ファイル", "画像", "メディア"),
    "ko": ("파일", "그림", "미디어"),
    "nl": ("Bestand", "Afbeelding"),
    "no": ("Fil", "Bilde"),
    "pl": ("Plik", "Grafika"),
    "pt": ("Ficheiro", "Arquivo", "Imagem", "Multimédia"),
    "ru": ("Файл", "Изображение", "Медиа"),
    "sv": ("Fil", "Bild"),
    "tr": ("Dosya", "Resim", "Ortam"),
    "uk": ("Файл", "Зображення", "Медіа"),
    "vi": ("Tập tin", "Hình", "Phương tiện"),
    "zh": ("文件", "檔案", "图像", "圖像", "媒体", "媒體"),
}

CATEGORY_NAMES: dict[str, tuple[str, ...]] = {
    "ar": ("تصنيف",),
    "ca": ("Categoria",),
    "cs": ("Kategorie",),
    "da": ("Kategori",),
    "de": ("Kategorie",),
    "es": ("Categoría",),
    "fa": ("رده",),
    "fi": ("Luokka",),
    "fr": ("Catégorie",),
    "he": ("קטגוריה",),
    "hu": ("Kategória",),
    "id": ("Kategori",),
    "it": ("Categoria",),
    "ja": ("カテゴリ",),
    "ko": ("분류",),
    "nl": ("Categorie",),
    "no": ("Kategori",),
    "pl": ("Kategoria",),
    "pt": ("Categoria",),
    "ru": ("Категория",),
    "sv": ("Kategori",),
    "tr": ("Kategori",),
    "uk": ("Категорія",),
    "vi": ("Thể loại",),
    "zh": ("分类", "分類"),
}
