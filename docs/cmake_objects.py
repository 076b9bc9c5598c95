"""The ``command``, ``variable`` and ``prop_tgt`` directives and roles of CMake's own
documentation, enough for the reST blocks of Dismake.cmake to render:
``.. command:: dismake_mount_image`` documents a function,
``:command:`dismake_mount_image``` links to it."""


def setup(app):
    app.add_object_type("command", "command", indextemplate="pair: %s; CMake command")
    app.add_object_type("variable", "variable", indextemplate="pair: %s; CMake variable")
    app.add_object_type("prop_tgt", "prop_tgt", indextemplate="pair: %s; CMake target property")
    return {"parallel_read_safe": True}
