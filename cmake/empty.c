/* placeholder translation unit for a module whose sources are not written yet */
typedef int ag_empty_translation_unit;
