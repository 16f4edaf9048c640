using System.Collections.Frozen;

namespace Attest.Guards.Pii;

/// <summary>Small gazetteers: common given names (several cultures) and words that look like names but are not.</summary>
internal static class Gazetteer
{
    public static readonly FrozenSet<string> GivenNames = (
        "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Mark " +
        "Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary " +
        "Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond " +
        "Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Peter Zachary Douglas Harold Kyle Noah Ethan Liam Oliver Lucas " +
        "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra Ashley " +
        "Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen " +
        "Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet " +
        "Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith " +
        "Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail " +
        "Alice Julia Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany " +
        "Charlotte Marie Kayla Alexis Lori Mohammed Muhammad Ahmed Ali Fatima Aisha Omar Hassan Priya Rahul Amit Anjali " +
        "Ravi Sunita Arjun Deepak Pooja Vikram Wei Li Jing Hiroshi Yuki Kenji Sakura Hans Klaus Jürgen Stefan Sabine Ursula " +
        "Pierre Jean-Luc Marie-Claire Sophie Camille Nicolas Juan Carlos Luis Miguel Sofia Lucia Giulia Marco Luca Francesco " +
        "Ivan Olga Dmitri Natasha Sven Lars Ingrid Astrid Erik Anders Chloe Zoe Mia Ella Ava Leo Max Felix Oscar Hugo")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Capitalised words that follow a given name in ordinary prose and are not surnames.</summary>
    public static readonly FrozenSet<string> NotSurnames = (
        "The A An And Or But If Is Are Was Were Will Can May Street Avenue Road Drive Lane Inc Ltd Corp Company University " +
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August September " +
        "October November December I You We They He She It This That Said Says Has Had Team Group Project Bank Hospital")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
}
