"""What each language's syntax tree looks like to the code-evidence rules.

Not a plugin: data for :mod:`readiness_plugins._code`. Each language maps Linguist's
name to its tree-sitter grammar wheel and one query whose captures name the shapes the
rules read:

``@function``  a function, method or closure (a scope for complexity and context);
``@class``     a type that names the methods inside it;
``@loop``      a loop; ``@branch`` a decision point (cyclomatic complexity);
``@call``      a call, with ``@callee`` (the called expression) or ``@callee_end``
               (the callee runs from the call's start to the end of this node);
``@new``       an object creation, with ``@type``;
``@typeref``   a type named in a declaration (``sync.Mutex mu``, ``std::mutex m``);
``@construct`` a construct the rules know by node type (``go_statement``, ``unsafe_block``...);
``@annotation`` a decorator, annotation or attribute; ``@import`` an import;
``@mutated``   a name written to (assigned, indexed into, incremented).

Any other capture (``@pointer_declarator``, ``@array_declarator``, ``@pointer_step`` in C
and C++) is kept by name, in document order, for the rule that reads it.

Strings and comments never match: the rules only ever see these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    language: str
    grammar: tuple[str, str]
    """(module, function) of the grammar wheel returning the language capsule."""
    query: str
    bare_names: bool
    """An unqualified name may stand for a qualified one (Java's imported class names)."""


_PYTHON = r"""
(function_definition) @function
(lambda) @function
(class_definition) @class
[(for_statement) (while_statement) (list_comprehension) (set_comprehension)
 (dictionary_comprehension) (generator_expression)] @loop
[(if_statement) (elif_clause) (for_statement) (while_statement) (except_clause)
 (conditional_expression) (boolean_operator) (for_in_clause) (if_clause) (case_clause)] @branch
(call function: (_) @callee) @call
(decorator) @annotation
[(import_statement) (import_from_statement)] @import
(assignment left: (subscript value: (identifier) @mutated))
(augmented_assignment left: (subscript value: (identifier) @mutated))
(augmented_assignment left: (identifier) @mutated)
(delete_statement (subscript value: (identifier) @mutated))
(global_statement (identifier) @mutated)
"""

_JAVASCRIPT = r"""
[(function_declaration) (function_expression) (arrow_function) (method_definition)
 (generator_function_declaration)] @function
[(class_declaration) (class)] @class
[(for_statement) (for_in_statement) (while_statement) (do_statement)] @loop
[(if_statement) (for_statement) (for_in_statement) (while_statement) (do_statement)
 (catch_clause) (ternary_expression) (switch_case)] @branch
(binary_expression operator: ["&&" "||" "??"]) @branch
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @type) @new
(decorator) @annotation
(import_statement) @import
(variable_declarator value: (call_expression function: (identifier) @require (#eq? @require "require"))) @import
"""

_TYPESCRIPT = _JAVASCRIPT.replace("(class)] @class", "(class) (abstract_class_declaration)] @class")

_JAVA = r"""
[(method_declaration) (constructor_declaration) (lambda_expression)] @function
[(class_declaration) (interface_declaration) (enum_declaration) (record_declaration)] @class
[(for_statement) (enhanced_for_statement) (while_statement) (do_statement)] @loop
[(if_statement) (for_statement) (enhanced_for_statement) (while_statement) (do_statement)
 (catch_clause) (ternary_expression) (switch_label)] @branch
(binary_expression operator: ["&&" "||"]) @branch
(method_invocation name: (_) @callee_end) @call
(object_creation_expression type: (_) @type) @new
(synchronized_statement) @construct
(modifiers "synchronized" @construct)
(field_declaration (modifiers "static")) @construct
(modifiers "native" @construct)
[(annotation) (marker_annotation)] @annotation
(import_declaration) @import
"""

_KOTLIN = r"""
[(function_declaration) (lambda_literal) (anonymous_function)] @function
[(class_declaration) (object_declaration) (companion_object)] @class
[(for_statement) (while_statement) (do_while_statement)] @loop
[(if_expression) (for_statement) (while_statement) (do_while_statement) (catch_block) (when_entry)] @branch
(binary_expression operator: ["&&" "||"]) @branch
(call_expression . (_) @callee) @call
(annotation) @annotation
(import) @import
"""

_SCALA = r"""
[(function_definition) (lambda_expression)] @function
[(class_definition) (object_definition) (trait_definition)] @class
[(for_expression) (while_expression) (do_while_expression)] @loop
[(if_expression) (for_expression) (while_expression) (do_while_expression) (case_clause)] @branch
(infix_expression operator: (operator_identifier) @op (#any-of? @op "&&" "||")) @branch
(call_expression function: (_) @callee) @call
(instance_expression . (_) @type) @new
(annotation) @annotation
(import_declaration) @import
"""

_GO = r"""
[(function_declaration) (method_declaration) (func_literal)] @function
(for_statement) @loop
[(if_statement) (for_statement) (expression_case) (type_case) (communication_case)] @branch
(binary_expression operator: ["&&" "||"]) @branch
(call_expression function: (_) @callee) @call
(qualified_type) @typeref
[(go_statement) (select_statement)] @construct
(call_expression function: (identifier) @make arguments: (argument_list . (channel_type)) (#eq? @make "make")) @construct
(import_spec) @import
(assignment_statement left: (expression_list (index_expression operand: (identifier) @mutated)))
(assignment_statement left: (expression_list (identifier) @mutated))
(inc_statement (identifier) @mutated)
(dec_statement (identifier) @mutated)
"""

_RUST = r"""
[(function_item) (closure_expression)] @function
[(impl_item) (trait_item)] @class
[(for_expression) (while_expression) (loop_expression)] @loop
[(if_expression) (for_expression) (while_expression) (loop_expression) (match_arm) (try_expression)] @branch
(binary_expression operator: ["&&" "||"]) @branch
(call_expression function: (_) @callee) @call
(macro_invocation macro: (_) @callee) @call
[(unsafe_block) (foreign_mod_item) (static_item)] @construct
(function_modifiers "unsafe" @construct)
(impl_item "unsafe" @construct)
(attribute_item) @annotation
(use_declaration) @import
"""

_C = r"""
(function_definition) @function
(struct_specifier) @class
[(for_statement) (while_statement) (do_statement)] @loop
[(if_statement) (for_statement) (while_statement) (do_statement) (case_statement) (conditional_expression)] @branch
(binary_expression operator: ["&&" "||"]) @branch
(call_expression function: (_) @callee) @call
(declaration type: (_) @typeref)
(field_declaration type: (_) @typeref)
(assignment_expression left: (identifier) @mutated)
(assignment_expression left: (subscript_expression argument: (identifier) @mutated))
(update_expression argument: (identifier) @mutated)
(pointer_declarator) @pointer_declarator
(array_declarator size: (_)) @array_declarator
[(binary_expression operator: ["+" "-"]) (update_expression argument: (identifier))
 (assignment_expression left: (identifier) operator: ["+=" "-="])] @pointer_step
"""

_CPP = r"""
[(function_definition) (lambda_expression)] @function
[(class_specifier) (struct_specifier)] @class
[(for_statement) (for_range_loop) (while_statement) (do_statement)] @loop
[(if_statement) (for_statement) (for_range_loop) (while_statement) (do_statement) (case_statement)
 (catch_clause) (conditional_expression)] @branch
(binary_expression operator: ["&&" "||" "and" "or"]) @branch
(call_expression function: (_) @callee) @call
(declaration type: (_) @typeref)
(field_declaration type: (_) @typeref)
(template_argument_list (type_descriptor type: (_) @typeref))
[(new_expression) (delete_expression)] @construct
(assignment_expression left: (identifier) @mutated)
(assignment_expression left: (subscript_expression argument: (identifier) @mutated))
(update_expression argument: (identifier) @mutated)
(pointer_declarator) @pointer_declarator
(array_declarator size: (_)) @array_declarator
[(binary_expression operator: ["+" "-"]) (update_expression argument: (identifier))
 (assignment_expression left: (identifier) operator: ["+=" "-="])] @pointer_step
"""

_CSHARP = r"""
[(method_declaration) (constructor_declaration) (local_function_statement) (lambda_expression)
 (anonymous_method_expression)] @function
[(class_declaration) (struct_declaration) (interface_declaration) (record_declaration)] @class
[(for_statement) (foreach_statement) (while_statement) (do_statement)] @loop
[(if_statement) (for_statement) (foreach_statement) (while_statement) (do_statement) (catch_clause)
 (conditional_expression) (switch_section) (switch_expression_arm)] @branch
(binary_expression operator: ["&&" "||" "??"]) @branch
(invocation_expression function: (_) @callee) @call
(object_creation_expression type: (_) @type) @new
[(lock_statement) (unsafe_statement) (fixed_statement)] @construct
(modifier "unsafe" @construct)
(field_declaration (modifier "static")) @construct
(attribute) @annotation
(using_directive) @import
"""

_RUBY = r"""
[(method) (singleton_method) (lambda) (do_block) (block)] @function
[(class) (module)] @class
[(for) (while) (until)] @loop
(call method: (identifier) @iter (#any-of? @iter "each" "each_with_index" "map" "times" "each_with_object" "flat_map" "select" "reject" "loop")) @loop
[(if) (elsif) (unless) (while) (until) (for) (when) (rescue) (conditional) (if_modifier) (unless_modifier)] @branch
(binary operator: ["&&" "||" "and" "or"]) @branch
(call method: (_) @callee_end) @call
"""

_PHP = r"""
[(function_definition) (method_declaration) (anonymous_function) (arrow_function)] @function
[(class_declaration) (interface_declaration) (trait_declaration)] @class
[(for_statement) (foreach_statement) (while_statement) (do_statement)] @loop
[(if_statement) (else_if_clause) (for_statement) (foreach_statement) (while_statement) (do_statement)
 (case_statement) (catch_clause) (conditional_expression)] @branch
(binary_expression operator: ["&&" "||" "and" "or" "??"]) @branch
(function_call_expression function: (_) @callee) @call
(member_call_expression name: (_) @callee_end) @call
(scoped_call_expression name: (_) @callee_end) @call
(object_creation_expression (_) @type) @new
(attribute) @annotation
(namespace_use_clause) @import
"""

DIALECTS: dict[str, Dialect] = {
    d.language: d
    for d in (
        Dialect("Python", ("tree_sitter_python", "language"), _PYTHON, bare_names=False),
        Dialect("JavaScript", ("tree_sitter_javascript", "language"), _JAVASCRIPT, bare_names=False),
        Dialect("TypeScript", ("tree_sitter_typescript", "language_typescript"), _TYPESCRIPT, bare_names=False),
        Dialect("TSX", ("tree_sitter_typescript", "language_tsx"), _TYPESCRIPT, bare_names=False),
        Dialect("Java", ("tree_sitter_java", "language"), _JAVA, bare_names=True),
        Dialect("Kotlin", ("tree_sitter_kotlin", "language"), _KOTLIN, bare_names=True),
        Dialect("Scala", ("tree_sitter_scala", "language"), _SCALA, bare_names=True),
        Dialect("Go", ("tree_sitter_go", "language"), _GO, bare_names=False),
        Dialect("Rust", ("tree_sitter_rust", "language"), _RUST, bare_names=True),
        Dialect("C", ("tree_sitter_c", "language"), _C, bare_names=True),
        Dialect("C++", ("tree_sitter_cpp", "language"), _CPP, bare_names=True),
        Dialect("C#", ("tree_sitter_c_sharp", "language"), _CSHARP, bare_names=True),
        Dialect("Ruby", ("tree_sitter_ruby", "language"), _RUBY, bare_names=True),
        Dialect("PHP", ("tree_sitter_php", "language_php"), _PHP, bare_names=True),
    )
}
