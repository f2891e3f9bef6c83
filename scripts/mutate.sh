#!/usr/bin/env bash
# Mutation testing of the model (docs/testing.md, "Mutation testing"): each
# mutant is one small change to one line of one source file; the harness
# builds it, runs the tests, and calls it killed when a test fails (or times
# out) and survived when every test passes.
#
#   scripts/mutate.sh [options]                 run the mutants of scripts/mutants.txt
#   scripts/mutate.sh --generate [FILE...]      write the mutant list (see below)
#   scripts/mutate.sh --show ID                 print one mutant as a diff
#   scripts/mutate.sh --report [--work DIR]     print the last run's report again
#                                               (with the current equivalents)
#   scripts/mutate.sh --add FILE:LINE OP 'MUTATED LINE' [--why TEXT] --list LIST
#                                               append a hand-written mutant to
#                                               LIST (with TEXT as a comment)
#
# Options of a run:
#   -j N             N mutants at a time, one private source copy and build
#                    directory each (default 1)
#   --tests WHICH    all (default): every unit and CLI test; area: the tests
#                    listed for the mutant's area below; or a ctest -R regex
#   --timeout S      per-test timeout in seconds (default 30; the unmutated
#                    suite needs under 4 s per test)
#   --only REGEX     only the mutants whose list line matches (id, area, file,
#                    operator: e.g. --only 'lib/gic/its' or --only '\tnnls\t')
#   --list FILE      the mutant list (default scripts/mutants.txt)
#   --work DIR       scratch directory (default build-mutate, or
#                    build-mutate-asan with --sanitize)
#   --sanitize       build the mutants with AddressSanitizer and UBSan, as CI's
#                    second run does, so an out-of-bounds access is caught
# Options of --generate:
#   --per-area N     mutants chosen per area (default 15)
#   --all            every candidate instead of the per-area choice
#   -o FILE          where to write (default: the --list file)
#   FILE...          mutate these source files (area "named") instead of the
#                    area table below
#
# The source tree is never modified: every worker mutates its own copy of the
# tracked and untracked (not ignored) files under WORK/src-N, refreshed from
# the tree at each run, so an interrupted run leaves nothing behind and runs
# in different work directories can go on side by side. Output: one line per
# mutant (killed by which test, survived, build-failed, stale), then the
# score per area, killed / (killed + survived - equivalent), and the
# survivors as diffs; WORK/report.txt keeps the same report. Mutants that
# do not compile ("build-failed") or whose line no longer exists ("stale")
# are not counted. scripts/mutants-equivalent.txt names the surviving
# mutants judged equivalent (ID, then the reason); they are not counted
# either.
#
# The list is generated deterministically: the operators below are applied,
# one occurrence at a time, to every code line of the area's files (comments,
# strings, preprocessor lines and invariant-checker code are skipped; so is
# negating a bare pointer test such as "if (!p)", which only crashes). A
# mutant's ID is a hash of its file, operator, original line and mutated line,
# so it does not depend on line numbers; a run finds the line by its text
# (nearest to the recorded line number) and reports "stale" when it is gone.
# The choice per area takes the candidates in ID order, one operator after
# the other, at most one mutant per line.
#
# Operators:
#   cmp     flip a comparison: < <=, > >=, == !=
#   bound   off by one: a literal compared with becomes N+1, a "+ 1"/"- 1" goes
#   drop    drop a state update: an assignment, increment or call statement
#   negate  invert an if/while condition
#   swap    swap operands: the sides of a subtraction, division or ordering
#           comparison, the two values of a ?:
#   logic   && and || exchanged
#   mask    change a mask: a hex constant loses its top bit, & becomes |, a ~ goes
#   arith   + -, * /, << >> exchanged
#   cost    skip a cost charge: a cost term becomes 0, a charge call goes
set -euo pipefail

# The whole script is one compound command, read before it runs: editing this
# file while it runs cannot change what the run does.
{
cd "$(dirname "$0")/.."
ROOT=$PWD

# ---- Areas: name, source files, and the tests --tests area runs -------------
AREAS=(irq cpu_interface vcpu_interface hyp lpi its engine nnls policies)
area_files() {
    case $1 in
    irq) echo lib/gic/irq.c lib/gic/distributor.c lib/gic/redistributor.c ;;
    cpu_interface) echo lib/gic/cpu_interface.c lib/gic/cpuif_priority.c ;;
    vcpu_interface) echo lib/gic/vcpu_interface.c ;;
    hyp) echo models/hyp.c models/hyp_calls.c models/vgic.c models/pe.c models/guest.c \
        models/timer.c models/system.c ;;
    lpi) echo lib/gic/lpi.c lib/gic/vlpi.c ;;
    its) echo lib/gic/its.c lib/gic/its_cmd.c lib/gic/its_translate.c ;;
    engine) echo lib/engine/engine.c ;;
    nnls) echo lib/calibrate/nnls.c ;;
    policies) echo models/gicv4.c models/policies/*.c ;;
    esac
}
area_tests() {
    case $1 in
    irq) echo 'test_(irq|distributor|redistributor|cpu_interface|gic_integration|script|invariants)$' ;;
    cpu_interface) echo 'test_(cpu_interface|gic_integration|irq|script|invariants|system)$' ;;
    vcpu_interface) echo 'test_(vcpu_interface|its|system|policies|invariants|gicv4_system)$' ;;
    hyp) echo 'test_(system|vgic|policies|host_timer|microbench|invariants|gicv4_system|determinism)$' ;;
    lpi) echo 'test_(lpi|its|gicv4_system|invariants)$' ;;
    its) echo 'test_(its|lpi|gicv4_system|invariants)$' ;;
    engine) echo 'test_(engine|system|invariants|determinism|host_timer)$' ;;
    nnls) echo 'test_(nnls|calibrate)$|^calibration_check$' ;;
    policies) echo 'test_(gicv4_system|policies|system|invariants|microbench)$' ;;
    *) echo '.' ;;
    esac
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit "${1:-0}"
}

die() {
    echo "mutate.sh: $*" >&2
    exit 2
}

# ---- Options ------------------------------------------------------------------
mode=run
jobs=1
tests=all
timeout=30
only=
list=scripts/mutants.txt
work=
per_area=15
all_candidates=0
out=
sanitize=OFF
show_id=
add_where=
add_op=
add_mut=
add_why=
named=()
while [ $# -gt 0 ]; do
    case $1 in
    --generate) mode=generate ;;
    --show)
        mode=show
        show_id=${2:?--show needs an ID}
        shift
        ;;
    --add)
        mode=add
        add_where=${2:?--add needs FILE:LINE OP MUTATED}
        add_op=${3:?--add needs FILE:LINE OP MUTATED}
        add_mut=${4?--add needs FILE:LINE OP MUTATED}
        shift 3
        ;;
    --why) add_why=${2:?}; shift ;;
    -j) jobs=${2:?-j needs a number}; shift ;;
    -j*) jobs=${1#-j} ;;
    --tests) tests=${2:?}; shift ;;
    --timeout) timeout=${2:?}; shift ;;
    --only) only=${2:?}; shift ;;
    --list) list=${2:?}; shift ;;
    --work) work=${2:?}; shift ;;
    --per-area) per_area=${2:?}; shift ;;
    --all) all_candidates=1 ;;
    --sanitize) sanitize=ON ;;
    --report) mode=report ;;
    -o) out=${2:?}; shift ;;
    -h | --help) usage 0 ;;
    -*) die "unknown option: $1 (see --help)" ;;
    *) named+=("$1") ;;
    esac
    shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "-j needs a positive number"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout needs a positive number of seconds"
command -v perl >/dev/null || die "needs perl"

# ---- The mutation operators (perl) ---------------------------------------------
# Input: lines "area<TAB>file". Output: the candidate list, one line each:
# id, area, file, line, operator, original line, mutated line (TAB-separated).
GENERATE_PL=$(
    cat <<'PERL'
use strict;
use warnings;
no warnings 'portable';
use Digest::MD5 qw(md5_hex);

my $lval = qr/\*?[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*|\[[^\]]*\])*/;
my $opnd = qr/[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*|\[[^\]]*\])*/;

sub balanced {
    my ($s) = @_;
    my $d = 0;
    for my $c (split //, $s) {
        $d++ if $c eq '(';
        $d-- if $c eq ')';
        return 0 if $d < 0;
    }
    return $d == 0;
}

# Every occurrence of regex $re in $code, replaced one at a time by $f->(match).
sub each_match {
    my ($code, $re, $f) = @_;
    my @out;
    while ($code =~ /$re/g) {
        my ($s, $e) = ($-[0], $+[0]);
        my $m = substr($code, $s, $e - $s);
        my $r = $f->($m);
        next if !defined $r || $r eq $m;
        push @out, substr($code, 0, $s) . $r . substr($code, $e);
        pos($code) = $s + 1;
    }
    return @out;
}

sub mutants_of {
    my ($code) = @_;    # the code part of one line (no comment)
    my @m;
    my %cmp = ('<' => '<=', '<=' => '<', '>' => '>=', '>=' => '>', '==' => '!=', '!=' => '==');
    push @m, map { ['cmp', $_] } each_match($code, qr/ (?:<=|>=|==|!=|<|>) /, sub {
        my $o = $_[0]; $o =~ s/^ | $//g; " $cmp{$o} "
    });
    push @m, map { ['bound', $_] } each_match($code, qr/(?:<=|>=|<|>|==|!=) \d+(?:u|ul|ull|U|UL|ULL)?\b/, sub {
        my ($op, $n, $suf) = $_[0] =~ /^(\S+) (\d+)(\w*)$/; "$op " . ($n + 1) . $suf
    });
    push @m, map { ['bound', $_] } each_match($code, qr/ [-+] 1(?:u|ull|U)?\b(?!\s*[*\/])/, sub { '' });
    my ($ind) = $code =~ /^(\s*)/;
    if ($code =~ /^\s*$lval\s*(?:=|\+=|-=|\|=|&=|\^=|<<=|>>=)\s*[^=].*;\s*$/
        || $code =~ /^\s*$lval(?:\+\+|--);\s*$/ || $code =~ /^\s*(?:\+\+|--)$lval;\s*$/) {
        push @m, ['drop', "$ind;"];
    } elsif ($code =~ /^\s*([A-Za-z_]\w*)\((.*)\);\s*$/ && balanced($2)
             && $1 !~ /^(?:return|free|assert|sizeof|if|while|for|switch)$/) {
        push @m, ['drop', "$ind;"];
    }
    if ($code =~ /^(\s*(?:\} else )?(?:if|while) )\((.*)\)(\s*\{?)\s*$/ && balanced($2)
        && $2 !~ /^!?[A-Za-z_]\w*$/) {
        push @m, ['negate', "$1(!($2))$3"];
    }
    push @m, map { ['swap', $_] } each_match($code, qr/(?<![\w>.\]])$opnd (?:-|\/) $opnd(?![\w(\[])/, sub {
        my ($a, $o, $b) = $_[0] =~ /^(\S+) (\S) (\S+)$/; $a eq $b ? undef : "$b $o $a"
    });
    push @m, map { ['swap', $_] } each_match($code, qr/(?<![\w>.\]])$opnd (?:<=|>=|<|>) $opnd(?![\w(\[])/, sub {
        my ($a, $o, $b) = $_[0] =~ /^(\S+) (\S+) (\S+)$/; $a eq $b ? undef : "$b $o $a"
    });
    push @m, map { ['swap', $_] } each_match($code, qr/ \? $opnd : $opnd(?![\w(\[])/, sub {
        my ($a, $b) = $_[0] =~ /^ \? (\S+) : (\S+)$/; $a eq $b ? undef : " ? $b : $a"
    });
    push @m, map { ['logic', $_] } each_match($code, qr/ (?:&&|\|\|) /, sub { $_[0] eq ' && ' ? ' || ' : ' && ' });
    push @m, map { ['mask', $_] } each_match($code, qr/\b0[xX][0-9A-Fa-f]+(?:u|ul|ull|U|UL|ULL)?\b/, sub {
        my ($h, $suf) = $_[0] =~ /^0[xX]([0-9A-Fa-f]+)(\w*)$/;
        my $v = hex($h);
        return undef if $v == 0;
        my $top = 1;
        $top <<= 1 while $top * 2 <= $v;
        my $n = ($v == $top) ? $v >> 1 : $v - $top;
        sprintf('0x%X%s', $n, $suf)
    });
    push @m, map { ['mask', $_] } each_match($code, qr/(?<=[\w)\]]) & (?=[\w(~])/, sub { ' | ' });
    push @m, map { ['mask', $_] } each_match($code, qr/~(?=[\w(])/, sub { '' });
    push @m, map { ['arith', $_] } each_match($code, qr/(?<=[\w)\]]) (?:\+|-|\*|\/|<<|>>) (?=[\w(])/, sub {
        my %a = (' + ' => ' - ', ' - ' => ' + ', ' * ' => ' / ', ' / ' => ' * ', ' << ' => ' >> ', ' >> ' => ' << ');
        $a{$_[0]}
    });
    push @m, map { ['cost', $_] } each_match($code, qr/s->c\[GICSIM_COST_\w+\]|gicsim_timing_ps\([^()]*\)|\b(?:its|g)->t_\w+\b(?! =)/, sub { '0' });
    if ($code =~ /^\s*gicsim_hyp_charge\(.*\);\s*$/ || $code =~ /^\s*\w+(?:\.|->)charged \+= .*;\s*$/) {
        push @m, ['cost', "$ind;"];
    }
    return @m;
}

my %seen;
my %nth; # how many earlier lines of the file have the same text
while (my $in = <STDIN>) {
    chomp $in;
    my ($area, $file) = split /\t/, $in;
    open my $fh, '<', $file or die "$file: $!\n";
    my ($n, $in_comment, $skip_depth, $depth) = (0, 0, 0, 0);
    while (my $line = <$fh>) {
        $n++;
        chomp $line;
        if ($in_comment) {
            $in_comment = 0 if $line =~ m{\*/};
            next;
        }
        if ($line =~ /^\s*#\s*(if|ifdef|ifndef)\b(.*)/) {
            $depth++;
            $skip_depth = $depth if !$skip_depth && $2 =~ /GICSIM_INV/;
            next;
        }
        if ($line =~ /^\s*#\s*endif\b/) {
            $skip_depth = 0 if $skip_depth == $depth;
            $depth--;
            next;
        }
        next if $skip_depth || $line =~ /^\s*#/;
        my $k = $nth{"$file\t$line"}++;
        my $code = $line;
        my $rest = '';
        if ($code =~ m{^(.*?)(/\*.*|//.*)$}) {
            ($code, $rest) = ($1, $2);
            $in_comment = 1 if $rest =~ m{^/\*} && $rest !~ m{\*/};
        }
        next if $code =~ /^\s*$/ || $code =~ /"|'|GICSIM_INV\(|_Static_assert|^\s*\(void\)/;
        for my $m (mutants_of($code)) {
            my ($op, $mcode) = @$m;
            my $mut = $mcode . $rest;
            $mut = $mcode if $op eq 'drop' || ($op eq 'cost' && $mcode =~ /^\s*;$/);
            next if $mut eq $line || $seen{"$file\t$n\t$mut"}++;
            my $id = substr(md5_hex("$file\t$op\t$line\t$mut" . ($k ? "\t$k" : '')), 0, 8);
            print join("\t", $id, $area, $file, $n, $op, $line, $mut), "\n";
        }
    }
    close $fh;
}
PERL
)

# Choose per area: candidates in ID order, operators in turn, one per line.
CHOOSE_PL=$(
    cat <<'PERL'
use strict;
use warnings;
my ($per) = @ARGV;
my @ops = qw(cmp bound drop negate swap logic mask arith cost);
my (%by, @areas);
while (my $l = <STDIN>) {
    chomp $l;
    my @f = split /\t/, $l, 7;
    push @areas, $f[1] unless exists $by{$f[1]};
    push @{ $by{$f[1]}{$f[4]} }, \@f;
}
for my $ar (@areas) {
    my %q = map { $_ => [sort { $a->[0] cmp $b->[0] } @{ $by{$ar}{$_} || [] }] } @ops;
    my (%used, @pick);
    while (@pick < $per) {
        my $progress = 0;
        for my $op (@ops) {
            last if @pick >= $per;
            while (my $c = shift @{ $q{$op} }) {
                next if $used{"$c->[2]:$c->[3]"}++;
                push @pick, $c;
                $progress = 1;
                last;
            }
        }
        last unless $progress;
    }
    print join("\t", @$_), "\n" for sort { $a->[2] cmp $b->[2] or $a->[3] <=> $b->[3] or $a->[0] cmp $b->[0] } @pick;
}
PERL
)

# Apply mutant ID of LIST to the copy under SRC; prints "file<TAB>line", or
# nothing when the line is gone (stale). Finds the line by its text, nearest
# to the recorded number.
APPLY_PL=$(
    cat <<'PERL'
use strict;
use warnings;
my ($list, $id, $src) = @ARGV;
open my $lf, '<', $list or die "$list: $!\n";
my @f;
while (my $l = <$lf>) {
    chomp $l;
    next if $l =~ /^#/;
    my @g = split /\t/, $l, 7;
    if ($g[0] eq $id) { @f = @g; last }
}
die "no mutant $id in $list\n" unless @f;
my (undef, undef, $file, $n, undef, $orig, $mut) = @f;
open my $fh, '<', "$src/$file" or die "$src/$file: $!\n";
my @lines = <$fh>;
close $fh;
my $best;
for my $i (0 .. $#lines) {
    my $t = $lines[$i];
    $t =~ s/\n$//;
    next unless $t eq $orig;
    $best = $i if !defined $best || abs($i + 1 - $n) < abs($best + 1 - $n);
}
exit 0 unless defined $best;
$lines[$best] = "$mut\n";
open $fh, '>', "$src/$file" or die "$src/$file: $!\n";
print $fh @lines;
close $fh;
print "$file\t", $best + 1, "\n";
PERL
)

# ---- --generate ---------------------------------------------------------------
if [ "$mode" = generate ]; then
    out=${out:-$list}
    {
        if [ ${#named[@]} -gt 0 ]; then
            for f in "${named[@]}"; do
                [ -f "$f" ] || die "no such file: $f"
                printf 'named\t%s\n' "$f"
            done
        else
            for a in "${AREAS[@]}"; do
                for f in $(area_files "$a"); do printf '%s\t%s\n' "$a" "$f"; done
            done
        fi
    } | perl -e "$GENERATE_PL" >"$out.all.tmp"
    {
        echo "# gicsim mutants: scripts/mutate.sh --generate$([ $all_candidates = 1 ] && echo ' --all')$([ ${#named[@]} -gt 0 ] && printf ' %s' "${named[@]}") (per area: $per_area)"
        echo "# id	area	file	line	operator	original line	mutated line"
        if [ $all_candidates = 1 ]; then
            cat "$out.all.tmp"
        else
            perl -e "$CHOOSE_PL" "$per_area" <"$out.all.tmp"
        fi
    } >"$out.tmp"
    total=$(grep -vc '^#' "$out.all.tmp" || true)
    rm -f "$out.all.tmp"
    mv "$out.tmp" "$out"
    echo "mutate.sh: $(grep -vc '^#' "$out") mutants (of $total candidates) in $out"
    exit 0
fi

# ---- --add --------------------------------------------------------------------
if [ "$mode" = add ]; then
    file=${add_where%:*}
    line=${add_where##*:}
    [ -f "$file" ] && [[ $line =~ ^[1-9][0-9]*$ ]] || die "--add: no line $add_where"
    area=named
    for a in "${AREAS[@]}"; do
        for f in $(area_files "$a"); do [ "$f" != "$file" ] || area=$a; done
    done
    orig=$(sed -n "${line}p" "$file")
    [ -n "$orig" ] && [ "$orig" != "$add_mut" ] || die "--add: $add_where is empty or unchanged"
    id=$(printf '%s\t%s\t%s\t%s' "$file" "$add_op" "$orig" "$add_mut" | md5sum | cut -c1-8)
    [ -f "$list" ] || printf '# gicsim mutants, written by hand (scripts/mutate.sh --add)\n# id\tarea\tfile\tline\toperator\toriginal line\tmutated line\n' >"$list"
    ! grep -q "^$id	" "$list" || die "--add: $id is already in $list"
    [ -z "$add_why" ] || printf '# %s\n' "$add_why" >>"$list"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$area" "$file" "$line" "$add_op" "$orig" "$add_mut" >>"$list"
    echo "$id"
    exit 0
fi

[ -f "$list" ] || die "no mutant list $list (make one with --generate)"

# ---- --show -------------------------------------------------------------------
if [ "$mode" = show ]; then
    awk -F'\t' -v id="$show_id" '$1 == id {
        printf "%s  %s  %s:%s  %s\n- %s\n+ %s\n", $1, $2, $3, $4, $5, $6, $7; found = 1 }
        END { exit !found }' "$list" || die "no mutant $show_id in $list"
    exit 0
fi

# ---- A run --------------------------------------------------------------------
if [ -z "$work" ]; then
    work=build-mutate
    [ $sanitize = OFF ] || work=build-mutate-asan
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
list=$(cd "$(dirname "$list")" && pwd)/$(basename "$list")
equiv=$ROOT/scripts/mutants-equivalent.txt

# The report of the run in $work: one table line per area, then the
# survivors and the equivalent mutants as diffs (also in WORK/report.txt).
REPORT_PL=$(
    cat <<'PERL'

use strict;
use warnings;
my ($list, $results, $equiv, $cmd) = @ARGV;
my (%m, @order, %r, %eq);
open my $lf, "<", $list or die;
while (<$lf>) { chomp; next if /^#/; my @f = split /\t/, $_, 7; $m{$f[0]} = \@f; push @order, $f[0] }
open my $rf, "<", $results or die;
while (<$rf>) { chomp; my ($id, $where, $st, $by) = split /\t/; $r{$id} = [$where, $st, $by // ""] }
if (open my $ef, "<", $equiv) {
    while (<$ef>) { next if /^\s*(#|$)/; chomp; my ($id, $why) = split /\s+/, $_, 2; $eq{$id} = $why // "" }
}
my (%a, @areas, @surv, @eqs);
for my $id (@order) {
    next unless $r{$id};
    my $area = $m{$id}[1];
    push @areas, $area unless $a{$area};
    $a{$area} //= {};
    my $st = $r{$id}[1];
    $st = "equivalent" if $st eq "survived" && exists $eq{$id};
    $a{$area}{$st}++;
    $a{$area}{n}++;
    push @surv, $id if $st eq "survived";
    push @eqs, $id if $st eq "equivalent";
}
print "# ", $cmd, "\n";
printf "%-15s %7s %6s %8s %10s %12s %5s %7s\n", "area", "mutants", "killed", "survived", "equivalent", "build-failed", "stale", "score";
my %t;
for my $area (@areas) {
    my $h = $a{$area};
    $t{$_} += $h->{$_} // 0 for qw(n killed survived equivalent build-failed stale);
    my $d = ($h->{killed} // 0) + ($h->{survived} // 0);
    printf "%-15s %7d %6d %8d %10d %12d %5d %7s\n", $area, $h->{n}, $h->{killed} // 0, $h->{survived} // 0,
        $h->{equivalent} // 0, $h->{"build-failed"} // 0, $h->{stale} // 0, $d ? sprintf("%.1f%%", 100 * ($h->{killed} // 0) / $d) : "-";
}
my $d = $t{killed} + $t{survived};
printf "%-15s %7d %6d %8d %10d %12d %5d %7s\n", "total", $t{n}, $t{killed}, $t{survived}, $t{equivalent},
    $t{"build-failed"}, $t{stale}, $d ? sprintf("%.1f%%", 100 * $t{killed} / $d) : "-";
for my $title (["survived", \@surv], ["equivalent (scripts/mutants-equivalent.txt)", \@eqs]) {
    next unless @{ $title->[1] };
    print "\n", ucfirst($title->[0]), ":\n";
    for my $id (@{ $title->[1] }) {
        my $f = $m{$id};
        print "$id  $f->[1]  $r{$id}[0]  $f->[4]", (exists $eq{$id} ? "  ($eq{$id})" : ""), "\n- $f->[5]\n+ $f->[6]\n";
    }
}
PERL
)
report() {
    [ -f "$work/results" ] && [ -f "$work/list" ] || die "no finished run in $work"
    perl -e "$REPORT_PL" "$(cat "$work/list")" "$work/results" "$equiv" "$(cat "$work/command")" |
        tee "$work/report.txt"
}

if [ "$mode" = report ]; then
    report
    exit 0
fi
grep -v '^#' "$list" | { if [ -n "$only" ]; then grep -P -- "$only" || true; else cat; fi; } |
    cut -f1 >"$work/ids"
count=$(wc -l <"$work/ids")
[ "$count" -gt 0 ] || die "no mutant matches"
rm -f "$work"/result-* "$work"/results "$work"/report.txt
echo "$list" >"$work/list"

pids=()
# Stop process $1 and everything it started (a worker's build or ctest).
kill_tree() {
    local c
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$c"; done
    kill -- "$1" 2>/dev/null || true
}
cleanup() {
    trap - INT TERM
    for p in "${pids[@]}"; do kill_tree "$p"; done
    wait 2>/dev/null || true
    echo "mutate.sh: interrupted; the source tree was never modified (mutants live in $work/src-*)" >&2
    exit 130
}
trap cleanup INT TERM

# Refresh WORK/src-K from the tree: copy each tracked or untracked (not
# ignored) file whose content differs, so the build redoes only what changed.
sync_copy() {
    local dst=$1 f
    mkdir -p "$dst"
    git -C "$ROOT" ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do
        [ -f "$ROOT/$f" ] || continue
        if ! cmp -s "$ROOT/$f" "$dst/$f"; then
            mkdir -p "$dst/$(dirname "$f")"
            cp "$ROOT/$f" "$dst/$f"
        fi
    done
}

# ctest in build dir $1 with test regex $2: "" when every test passes, else
# the first failing test's name.
run_tests() {
    local bld=$1 re=$2 log=$1/ctest.log
    local sel=(-LE example)
    [ "$re" = . ] || sel=(-R "$re")
    if (cd "$bld" && timeout $((timeout * 40)) ctest "${sel[@]}" --timeout "$timeout" \
        --stop-on-failure -j1 >"$log" 2>&1); then
        return 0
    fi
    local t
    t=$(grep -Eo '[0-9]+ - [A-Za-z0-9_]+ \((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception|Child aborted|Not Run)[^)]*\)' "$log" | head -1 | sed -E 's/^[0-9]+ - //') || true
    echo "${t:-ctest failed}"
}

tests_for() {
    case $tests in
    all) echo . ;;
    area) area_tests "$1" ;;
    *) echo "$tests" ;;
    esac
}

worker() {
    local k=$1 src=$work/src-$1 bld=$work/build-$1 res=$work/result-$1
    sync_copy "$src"
    if ! cmake -S "$src" -B "$bld" -DGICSIM_BUILD_BENCH=OFF -DGICSIM_BUILD_EXAMPLES=OFF \
        -DGICSIM_SANITIZE="$sanitize" -DGICSIM_TEST_TIMEOUT="$timeout" >"$bld.configure.log" 2>&1 ||
        ! cmake --build "$bld" -j1 >"$bld.build.log" 2>&1; then
        echo "mutate.sh: worker $k: the unmutated tree does not build (see $bld.build.log)" >&2
        return 1
    fi
    local fail
    fail=$(run_tests "$bld" "$(tests_for all)")
    if [ -n "$fail" ]; then
        echo "mutate.sh: worker $k: the unmutated tree fails $fail: no mutant can be judged" >&2
        return 1
    fi
    local i=0 id area file where status
    while read -r id; do
        i=$((i + 1))
        [ $(((i - 1) % jobs)) -eq "$k" ] || continue
        area=$(awk -F'\t' -v id="$id" '$1 == id { print $2; exit }' "$list")
        file=$(awk -F'\t' -v id="$id" '$1 == id { print $3; exit }' "$list")
        cp "$src/$file" "$work/orig-$k"
        where=$(perl -e "$APPLY_PL" "$list" "$id" "$src")
        if [ -z "$where" ]; then
            status=stale
        elif ! cmake --build "$bld" -j1 >"$bld.mutant.log" 2>&1; then
            status=build-failed
        else
            fail=$(run_tests "$bld" "$(tests_for "$area")")
            if [ -n "$fail" ]; then status="killed	$fail"; else status=survived; fi
        fi
        cp "$work/orig-$k" "$src/$file"
        printf '%s\t%s\t%s\n' "$id" "${where/$'\t'/:}" "$status" >>"$res"
        printf '%s %-14s %-28s %s\n' "$id" "$area" "${where/$'\t'/:}" "${status/$'\t'/ by }" >&2
    done <"$work/ids"
}

echo "mutate.sh: $count mutants, $jobs at a time, tests: $tests, per-test timeout ${timeout}s, in $work" >&2
for ((k = 0; k < jobs; k++)); do
    worker "$k" &
    pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
pids=()
[ $rc = 0 ] || die "a worker failed"

# ---- Report -------------------------------------------------------------------
cat "$work"/result-* >"$work/results"
echo "scripts/mutate.sh -j $jobs --tests $tests --timeout $timeout$([ $sanitize = ON ] && echo ' --sanitize')${only:+ --only '$only'} --list ${list#"$ROOT"/}" >"$work/command"
report
exit 0
}
